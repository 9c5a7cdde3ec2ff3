/*
 * pathwise_bind: the one thing Node cannot do by itself for Pathwise — pin a TCP socket to a
 * network device (SO_BINDTODEVICE) before it connects. On Linux, binding a socket to an
 * interface's address does not choose the interface: the kernel routes by destination, so
 * without source-based policy routing a socket bound to the cellular address still leaves
 * through the default route. A device-bound socket can only use routes through its device.
 *
 * The addon creates the socket and sets the option; Node adopts the descriptor
 * (`new net.Socket({ fd })`) and does bind, connect, timeouts and errors itself, exactly as for
 * any other socket. Only Node-API (version 8) is used, so the same binary loads in every Node
 * and Electron release that has it, with no rebuild per runtime.
 *
 * Unprivileged processes may set SO_BINDTODEVICE since Linux 5.7; older kernels want
 * CAP_NET_RAW and answer EPERM, which the loader reports as "addon unavailable".
 */
#define _GNU_SOURCE
#include <node_api.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef __linux__
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#define CHECK(call)                                                                        \
  do {                                                                                     \
    if ((call) != napi_ok) {                                                               \
      napi_throw_error(env, "E_PATHWISE_BIND_ADDON", "Node-API call failed: " #call);      \
      return NULL;                                                                         \
    }                                                                                      \
  } while (0)

/* Throws an Error shaped like Node's system errors: errno (negative, as libuv reports it) and
 * syscall; the JS side turns errno into a code name with util.getSystemErrorName. */
static napi_value throw_errno(napi_env env, int err, const char *syscall, const char *detail) {
  char text[256];
  snprintf(text, sizeof text, "%s %s%s%s", syscall, strerror(err), detail ? ": " : "",
           detail ? detail : "");
  napi_value message, error, value;
  if (napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message) != napi_ok) return NULL;
  if (napi_create_error(env, NULL, message, &error) != napi_ok) return NULL;
  if (napi_create_int32(env, -err, &value) == napi_ok)
    napi_set_named_property(env, error, "errno", value);
  if (napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &value) == napi_ok)
    napi_set_named_property(env, error, "syscall", value);
  napi_throw(env, error);
  return NULL;
}

/* Reads argument `index` as a device name that fits IFNAMSIZ; throws and returns 0 if not. */
static int get_device(napi_env env, napi_value arg, char *device, size_t size) {
  napi_valuetype type;
  size_t length = 0;
  if (napi_typeof(env, arg, &type) != napi_ok || type != napi_string) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "The device must be an interface name string");
    return 0;
  }
  if (napi_get_value_string_utf8(env, arg, NULL, 0, &length) != napi_ok || length == 0 ||
      length >= size) {
    napi_throw_range_error(env, "ERR_INVALID_ARG_VALUE",
                           "An interface name has 1 to 15 characters");
    return 0;
  }
  if (napi_get_value_string_utf8(env, arg, device, size, &length) != napi_ok) {
    napi_throw_error(env, "E_PATHWISE_BIND_ADDON", "Could not read the interface name");
    return 0;
  }
  return 1;
}

/* openDeviceSocket(family: 4 | 6, device: string): number
 * A non-blocking, close-on-exec TCP socket bound to `device`, not yet bound to an address nor
 * connected. The caller owns the descriptor (hand it to net.Socket, or close it). */
static napi_value open_device_socket(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "openDeviceSocket(family, device)");
    return NULL;
  }
  int32_t family = 0;
  if (napi_get_value_int32(env, argv[0], &family) != napi_ok || (family != 4 && family != 6)) {
    napi_throw_range_error(env, "ERR_INVALID_ARG_VALUE", "The family must be 4 or 6");
    return NULL;
  }
#ifdef __linux__
  char device[IFNAMSIZ];
  if (!get_device(env, argv[1], device, sizeof device)) return NULL;
  int fd = socket(family == 6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                  IPPROTO_TCP);
  if (fd < 0) return throw_errno(env, errno, "socket", NULL);
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device, (socklen_t)strlen(device) + 1) != 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, err, "setsockopt", device);
  }
  napi_value result;
  CHECK(napi_create_int32(env, fd, &result));
  return result;
#else
  (void)argv;
  return throw_errno(env, ENOSYS, "setsockopt", "SO_BINDTODEVICE exists only on Linux");
#endif
}

/* socketDevice(fd: number): string | null — the device a socket is bound to, for diagnostics
 * and tests (getsockopt SO_BINDTODEVICE). */
static napi_value socket_device(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd = -1;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "socketDevice(fd) needs a descriptor");
    return NULL;
  }
#ifdef __linux__
  char device[IFNAMSIZ] = {0};
  socklen_t length = sizeof device;
  if (getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device, &length) != 0)
    return throw_errno(env, errno, "getsockopt", NULL);
  napi_value result;
  if (length == 0 || device[0] == '\0') {
    CHECK(napi_get_null(env, &result));
  } else {
    CHECK(napi_create_string_utf8(env, device, strnlen(device, sizeof device), &result));
  }
  return result;
#else
  return throw_errno(env, ENOSYS, "getsockopt", "SO_BINDTODEVICE exists only on Linux");
#endif
}

NAPI_MODULE_INIT() {
  napi_property_descriptor properties[] = {
      {"openDeviceSocket", NULL, open_device_socket, NULL, NULL, NULL, napi_enumerable, NULL},
      {"socketDevice", NULL, socket_device, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties) !=
      napi_ok)
    return NULL;
  return exports;
}
