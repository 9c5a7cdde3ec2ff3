{
  "targets": [
    {
      "target_name": "pathwise_bind",
      "sources": ["pathwise_bind.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-O2", "-fvisibility=hidden"],
      "ldflags": ["-s"]
    }
  ]
}
