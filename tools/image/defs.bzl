"""One image per service, from its `platform_service(..., image = {...})` declaration.

`platform_service` (tools/python/defs.bzl) calls `service_image(name = "image", ...)`
with the service's entry points and the `image` dict, which gives:

  :image                    the OCI image layout (bazel build //services/<name>:image)
  :image_reproducible_test  the image built a second time, from its entries in reverse
                            order, has the same digest; and its contents follow the rules
                            (non-root, tini, health check, entry points, volumes owned by
                            the user, no tests, compilers, Bazel or pip)
  :image_test               runs the image with podman against a test Redis: /healthz,
                            /readyz, the health check, the user, SIGTERM (tags: image,
                            no-sandbox; docs/images.md)
  :image_load               `bazel run` it: load into podman (or docker) as
                            localhost/platform/<name>:latest
  :image_push               `bazel run :image_push -- docker://registry/<name>:<tag>`

`platform_image` gives the same without :image_test for images that are no service
(deploy's Redis). Python rules are used through `native` here because
tools/python/defs.bzl loads this file (BUILD files load them from there).
"""

load("//tools/image:image.bzl", "oci_image")

HEALTHCHECK = ["/usr/bin/python3", "-I", "/app/healthcheck.py"]

# Settings every service image starts with; the service's `env`, then the runtime,
# override them.
DEFAULT_ENV = {
    "HOST": "0.0.0.0",
    "LOG_FORMAT": "json",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONUNBUFFERED": "1",
}

USER = "10001:10001"

_TOOLS = "//tools/image"

def platform_image(name, image_name, binaries = [], volumes = [], visibility = None, **kwargs):
    """An oci_image with its reproducibility check and load/push runners.

    Args:
      name: the image target.
      image_name: the name it is loaded as: localhost/platform/<image_name>:latest.
      binaries: py_binary entry points (/app/bin/<name>).
      volumes: directories the process may write (owned by the image's user).
      visibility: of the image.
      **kwargs: the rest of oci_image's attributes (base, layers, cmd, env, ...).
    """
    tag = "localhost/platform/%s:latest" % image_name
    image = dict(kwargs, binaries = binaries, volumes = volumes, image_name = image_name, repo_tag = tag, user = USER)
    oci_image(name = name, visibility = visibility, **image)
    oci_image(name = name + "_rebuild", shuffle = True, tags = ["manual"], **image)

    native.py_test(
        name = name + "_reproducible_test",
        srcs = [_TOOLS + ":platform_image/inspect_image.py"],
        main = _TOOLS + ":platform_image/inspect_image.py",
        args = [
            "--image=$(rootpath :%s)" % name,
            "--rebuild=$(rootpath :%s_rebuild)" % name,
            "--user=" + USER,
        ] + ["--binary=" + b.rpartition(":")[2] for b in binaries] + ["--volume=" + v for v in volumes],
        data = [":" + name, ":%s_rebuild" % name],
        deps = [_TOOLS + ":image_inspect"],
        python_version = "PY3",
        size = "small",
    )
    native.py_binary(
        name = name + "_load",
        srcs = [_TOOLS + ":platform_image/publish.py"],
        main = _TOOLS + ":platform_image/publish.py",
        args = ["load", "$(rootpath :%s)=%s" % (name, tag)],
        data = [":" + name],
        deps = [_TOOLS + ":image_publish"],
        python_version = "PY3",
    )
    native.py_binary(
        name = name + "_push",
        srcs = [_TOOLS + ":platform_image/publish.py"],
        main = _TOOLS + ":platform_image/publish.py",
        args = ["push", "$(rootpath :%s)" % name],
        data = [":" + name],
        deps = [_TOOLS + ":image_publish"],
        python_version = "PY3",
    )

def service_image(
        name,
        binaries,
        port,
        debian_packages = [],
        layers = [],
        volumes = [],
        env = {},
        test_env = {},
        test_size = "large",
        visibility = ["//deploy:__pkg__"]):
    """The image of the service in this package, and its checks.

    Args:
      name: the image target ("image").
      binaries: the service's py_binary entry points; all go into the one image, as
        /app/bin/<name>; the default command is /app/bin/server (else the first).
      port: the server's port (PORT, EXPOSE, health check).
      debian_packages: Debian packages the service runs (e.g. ["ffmpeg"]); the set must
        be in WORKSPACE's debian_rootfs `extras` (joined by `,`, sorted).
      layers: shared layers for large third-party trees, e.g.
        ["//third_party/python/layers:torch"] (tools/image/image.bzl `pypi_layer`).
      volumes: directories the service writes (owned by the image's user).
      env: non-secret defaults baked into the image (the runtime overrides them).
      test_env: more environment for :image_test (keys, required settings).
      test_size: Bazel size of :image_test.
      visibility: of the image (deploy/ runs the platform from the images).
    """
    service = native.package_name().rpartition("/")[2]
    names = [b.rpartition(":")[2] for b in binaries]
    default = "server" if "server" in names else names[0]
    debian = ["@debian//:" + ",".join(sorted(debian_packages))] if debian_packages else []
    platform_image(
        name = name,
        image_name = service,
        binaries = binaries,
        volumes = volumes,
        visibility = visibility,
        base = "@debian//:base",
        layers = debian + [_TOOLS + ":healthcheck_layer"] + layers,
        cmd = ["/app/bin/" + default],
        env = dict(DEFAULT_ENV, PORT = str(port), **env),
        ports = ["%d/tcp" % port],
        healthcheck = HEALTHCHECK,
    )
    native.py_test(
        name = name + "_test",
        srcs = [_TOOLS + ":platform_image/service_check.py"],
        main = _TOOLS + ":platform_image/service_check.py",
        args = [
            "--image=$(rootpath :%s)" % name,
            "--name=" + service,
            "--conf=$(rootpath %s:containers.conf)" % _TOOLS,
        ] + ["--binary=" + n for n in names] + ["--volume=" + v for v in volumes] + [
            "--env=%s=%s" % (k, v)
            for k, v in sorted(test_env.items())
        ],
        data = [":" + name, _TOOLS + ":containers.conf"],
        deps = [_TOOLS + ":image_testing"],
        python_version = "PY3",
        size = test_size,
        # podman needs real root and the host's network: no sandbox (docs/images.md).
        tags = ["image", "no-sandbox"],
    )
