"""OCI image rules for Bazel 4.2.3 offline (what rules_oci does for newer Bazel).

Layers are `.tar.gz` blobs written deterministically by `platform_image` tools in
build actions; an image is an OCI image layout directory (`oci-layout`, `index.json`,
`blobs/sha256/...`) whose blobs are hard links to the layer outputs, so no layer is
ever copied. Rules:

  debian_layer        a Debian layer from an mmdebstrap tarball (@debian, tools/image/debian.bzl)
  pypi_layer          a third-party distribution and its dependencies, shared by the
                      images that list it (a large tree such as torch is then tarred and
                      compressed once, and stored once by registries and engines)
  files_layer         files at fixed paths (the health probe)
  oci_image           base + shared layers + the image's own two layers, built from
                      py_binary runfiles: third-party files, then first-party files

In the image, the binaries' runfiles form one tree at /app/platform.runfiles (the
workspace under `platform/`, each external repository beside it) and each binary is
/app/bin/<name>, a symbolic link to its stub inside that tree.
"""

ImageLayerInfo = provider(
    doc = "One layer blob that images stack.",
    fields = {
        "name": "what the layer holds (image history, size report)",
        "blob": "the .tar.gz File",
        "descriptor": "File: the layer's digests (JSON)",
        "listing": "File naming every path in the layer, or None",
        "packages": "File of `package version` lines (Debian layers), or None",
    },
)

OciImageInfo = provider(
    doc = "An image built by oci_image.",
    fields = {
        "layout": "the OCI image layout directory (tree artifact)",
        "digest": "File: the manifest digest `sha256:...`",
        "report": "File: layers and sizes (JSON)",
        "repo_tag": "where tools load it, e.g. localhost/platform/qr-api:latest",
        "binaries": "names of the entry points under /app/bin",
    },
)

RUNFILES_ROOT = "app/platform.runfiles"
BIN_DIR = "app/bin"

def _external_runfile(f):
    return (f.short_path + "\t" + f.path) if f.short_path.startswith("../") else None

def _main_runfile(f):
    return None if f.short_path.startswith("../") else (f.short_path + "\t" + f.path)

_TOOLS = {
    "_build_layer": attr.label(
        default = "//tools/image:build_layer",
        executable = True,
        cfg = "exec",
    ),
}

def _layer_outputs(ctx, name):
    return struct(
        blob = ctx.actions.declare_file(name + ".tar.gz"),
        descriptor = ctx.actions.declare_file(name + ".json"),
        listing = ctx.actions.declare_file(name + ".listing"),
    )

def _layer_args(ctx, outputs, shuffle = False):
    """build_layer's command line, up to the entries the caller adds."""
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")
    args.add("--out", outputs.blob)
    args.add("--descriptor", outputs.descriptor)
    args.add("--listing", outputs.listing)
    args.add("--runfiles-root", RUNFILES_ROOT)
    args.add("--workspace", ctx.workspace_name)
    if shuffle:
        args.add("--shuffle")
    return args

def _run_layer(ctx, outputs, args, inputs, mnemonic):
    ctx.actions.run(
        executable = ctx.executable._build_layer,
        arguments = [args],
        inputs = inputs,
        outputs = [outputs.blob, outputs.descriptor, outputs.listing],
        mnemonic = mnemonic,
        progress_message = "Writing layer %s" % outputs.blob.short_path,
    )

def _layer_info(name, outputs):
    return [
        ImageLayerInfo(
            name = name,
            blob = outputs.blob,
            descriptor = outputs.descriptor,
            listing = outputs.listing,
            packages = None,
        ),
        DefaultInfo(files = depset([outputs.blob, outputs.descriptor])),
    ]

# ---------------------------------------------------------------------------

def _debian_layer_impl(ctx):
    name = ctx.label.name
    blob = ctx.actions.declare_file(name + ".tar.gz")
    descriptor = ctx.actions.declare_file(name + ".json")
    packages = ctx.actions.declare_file(name + ".packages")
    args = ctx.actions.args()
    args.add("--rootfs", ctx.file.rootfs)
    args.add("--out", blob)
    args.add("--descriptor", descriptor)
    args.add("--packages", packages)
    inputs = [ctx.file.rootfs]
    if ctx.file.base:
        args.add("--base", ctx.file.base)
        inputs.append(ctx.file.base)
    ctx.actions.run(
        executable = ctx.executable._debian_rootfs,
        arguments = [args],
        inputs = inputs,
        outputs = [blob, descriptor, packages],
        mnemonic = "DebianLayer",
        progress_message = "Writing Debian layer %s" % ctx.label,
    )
    return [
        ImageLayerInfo(
            name = "debian " + name,
            blob = blob,
            descriptor = descriptor,
            listing = None,
            packages = packages,
        ),
        DefaultInfo(files = depset([blob, descriptor])),
        OutputGroupInfo(packages = depset([packages])),
    ]

debian_layer = rule(
    implementation = _debian_layer_impl,
    doc = "A Debian layer: a whole root filesystem tarball, or what it adds to `base`.",
    attrs = {
        "rootfs": attr.label(allow_single_file = [".tar"], mandatory = True),
        "base": attr.label(allow_single_file = [".tar"], doc = "the base tarball (extra layers)"),
        "_debian_rootfs": attr.label(
            default = "//tools/image:debian_rootfs",
            executable = True,
            cfg = "exec",
        ),
    },
)

# ---------------------------------------------------------------------------

def _pypi_layer_impl(ctx):
    outputs = _layer_outputs(ctx, ctx.label.name)
    runfiles = ctx.attr.distribution[DefaultInfo].default_runfiles.files

    args = _layer_args(ctx, outputs)
    args.add("--pyc")
    args.add_all(runfiles, map_each = _external_runfile, before_each = "--runfile")
    _run_layer(ctx, outputs, args, runfiles, "PypiLayer")
    return _layer_info(str(ctx.attr.distribution.label), outputs)

pypi_layer = rule(
    implementation = _pypi_layer_impl,
    doc = """A third-party distribution with its dependencies, as a layer images share.

List it in an image's `layers` (tools/image/defs.bzl: `layers` of a service's image);
the image's own third-party layer then leaves those files out.""",
    attrs = dict(_TOOLS, distribution = attr.label(mandatory = True, doc = "e.g. @pypi//torch")),
)

# ---------------------------------------------------------------------------

def _files_layer_impl(ctx):
    outputs = _layer_outputs(ctx, ctx.label.name)
    pairs = []
    inputs = []
    for target, dest in ctx.attr.files.items():
        files = target.files.to_list()
        if len(files) != 1:
            fail("files: {} must be exactly one file".format(target.label))
        pairs.append("{}\t{}".format(dest.lstrip("/"), files[0].path))
        inputs.append(files[0])

    args = _layer_args(ctx, outputs)
    args.add_all(pairs, before_each = "--file")
    _run_layer(ctx, outputs, args, inputs, "FilesLayer")
    return _layer_info(str(ctx.label), outputs)

files_layer = rule(
    implementation = _files_layer_impl,
    doc = "Files at fixed paths in the image (`files`: label -> absolute path), root-owned.",
    attrs = dict(_TOOLS, files = attr.label_keyed_string_dict(allow_files = True, mandatory = True)),
)

# ---------------------------------------------------------------------------

def _owner(user):
    uid, _, gid = user.partition(":")
    return uid, (gid or uid)

def _oci_image_impl(ctx):
    name = ctx.label.name
    binaries = ctx.attr.binaries
    runfiles = depset(transitive = [b[DefaultInfo].default_runfiles.files for b in binaries])
    executables = [b[DefaultInfo].files_to_run.executable for b in binaries]
    everything = depset(executables, transitive = [runfiles])
    stacked = [ctx.attr.base[ImageLayerInfo]] + [l[ImageLayerInfo] for l in ctx.attr.layers]
    listings = [l.listing for l in stacked if l.listing != None]
    title = ctx.attr.image_name or str(ctx.label)
    own = []

    if binaries:
        pypi = _layer_outputs(ctx, name + "_pypi")

        args = _layer_args(ctx, pypi, ctx.attr.shuffle)
        args.add("--pyc")
        args.add_all(listings, before_each = "--exclude-listing")
        args.add_all(everything, map_each = _external_runfile, before_each = "--runfile")
        _run_layer(ctx, pypi, args, depset(listings, transitive = [everything]), "PypiLayer")
        own.append(("third-party packages of " + title, pypi))

    app = _layer_outputs(ctx, name + "_app")
    uid, gid = _owner(ctx.attr.user)
    links = []
    for b, exe in zip(binaries, executables):
        links.append("{}/{}\t/{}/{}/{}".format(BIN_DIR, b.label.name, RUNFILES_ROOT, ctx.workspace_name, exe.short_path))

    volumes = ["{}\t0755\t{}\t{}".format(v.lstrip("/"), uid, gid) for v in ctx.attr.volumes]
    args = _layer_args(ctx, app, ctx.attr.shuffle)
    args.add("--pyc")
    args.add_all(links, before_each = "--symlink")
    args.add_all(volumes, before_each = "--dir")
    args.add_all(everything, map_each = _main_runfile, before_each = "--runfile")
    _run_layer(ctx, app, args, everything, "AppLayer")
    own.append(("first-party code of " + title, app))

    cmd = ctx.attr.cmd
    if not cmd and binaries:
        cmd = ["/{}/{}".format(BIN_DIR, binaries[0].label.name)]
    settings = {
        "image": title,
        "entrypoint": ctx.attr.entrypoint,
        "cmd": cmd,
        "env": ctx.attr.env,
        "user": ctx.attr.user,
        "workdir": ctx.attr.workdir,
        "ports": ctx.attr.ports,
        "volumes": ctx.attr.volumes,
        "labels": ctx.attr.labels,
        "healthcheck": ctx.attr.healthcheck,
        "stop_signal": "SIGTERM",
    }
    config = ctx.actions.declare_file(name + ".settings.json")
    ctx.actions.write(config, json.encode(settings))

    layout = ctx.actions.declare_directory(name)
    digest = ctx.actions.declare_file(name + ".digest")
    report = ctx.actions.declare_file(name + ".report.json")
    args = ctx.actions.args()
    args.add("--settings", config)
    args.add("--out", layout.path)
    args.add("--digest", digest)
    args.add("--report", report)
    inputs = [config]
    for layer in stacked:
        args.add("--layer", "{}\t{}\t{}\tshared".format(layer.name, layer.descriptor.path, layer.blob.path))
        inputs += [layer.descriptor, layer.blob]
    for title, out in own:
        args.add("--layer", "{}\t{}\t{}\town".format(title, out.descriptor.path, out.blob.path))
        inputs += [out.descriptor, out.blob]
    ctx.actions.run(
        executable = ctx.executable._build_image,
        arguments = [args],
        inputs = inputs,
        outputs = [layout, digest, report],
        # Layer blobs are hard-linked into the layout; inside the sandbox the output tree
        # is another mount, where link(2) fails with EXDEV. The tool reads only its inputs.
        execution_requirements = {"no-sandbox": "1"},
        mnemonic = "OciImage",
        progress_message = "Writing image %s" % layout.short_path,
    )
    return [
        OciImageInfo(
            layout = layout,
            digest = digest,
            report = report,
            repo_tag = ctx.attr.repo_tag,
            binaries = [b.label.name for b in binaries],
        ),
        DefaultInfo(files = depset([layout]), runfiles = ctx.runfiles([layout, digest, report])),
        OutputGroupInfo(digest = depset([digest]), report = depset([report])),
    ]

oci_image = rule(
    implementation = _oci_image_impl,
    doc = """An OCI image layout: `base`, then `layers`, then the image's own layers.

Own layers: the binaries' third-party runfiles (less what `layers` hold), then
their first-party runfiles with /app/bin links and the volume directories (owned by
`user`). `.py` files get checked-hash `.pyc` files beside them, so that a read-only
root filesystem starts as fast as a writable one.""",
    attrs = dict(
        _TOOLS,
        base = attr.label(providers = [ImageLayerInfo], mandatory = True),
        layers = attr.label_list(providers = [ImageLayerInfo]),
        binaries = attr.label_list(cfg = "target", doc = "py_binary entry points"),
        entrypoint = attr.string_list(default = ["/usr/bin/tini", "--"]),
        cmd = attr.string_list(doc = "default: /app/bin/<first binary>"),
        env = attr.string_dict(),
        user = attr.string(default = "10001:10001"),
        workdir = attr.string(default = "/app"),
        ports = attr.string_list(doc = "e.g. 8002/tcp"),
        volumes = attr.string_list(doc = "directories the process may write (owned by `user`)"),
        labels = attr.string_dict(),
        healthcheck = attr.string_list(doc = "the health command (Docker's HEALTHCHECK CMD)"),
        image_name = attr.string(doc = "the name in reports, e.g. qr-api"),
        repo_tag = attr.string(doc = "where tools load it, e.g. localhost/platform/qr-api:latest"),
        shuffle = attr.bool(doc = "feed entries in reverse order (the reproducibility check)"),
        _build_image = attr.label(
            default = "//tools/image:build_image",
            executable = True,
            cfg = "exec",
        ),
    ),
)
