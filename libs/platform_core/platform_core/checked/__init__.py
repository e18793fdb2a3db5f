"""Values of unknown type, checked on the way in (the platform's adapter for dynamic lookups).

A module without type information (or with a name that has to be looked up at run time)
is reached through `module_attribute`, which imports the module, reads the attribute as
`object` and lets it through only when the caller's check accepts it:

    def _is_decode(value: object) -> TypeGuard[Decode]:
        return callable(value)

    decode = module_attribute("pyzbar.pyzbar", "decode", _is_decode)

This module is `platform_core:checked`'s declared adapter (docs/bazel.md, "Adapters"):
the lint gate lets `importlib.import_module` and `getattr` appear only in a target's
adapter, never assigned to an annotated name.
"""

from platform_core.checked.attribute import (
    UncheckedValueError,
    is_class,
    is_exception_class,
    module_attribute,
)

__all__ = ["UncheckedValueError", "is_class", "is_exception_class", "module_attribute"]
