// Consumer of leibniz: must compile and link with nothing but leibniz::leibniz
// (or the pkg-config flags), then print the version.
#include <leibniz/leibniz.hpp>
#include <leibniz/version.hpp>

#include <cstdio>

int main() {
  std::printf("leibniz %d.%d.%d\n", leibniz::version_major, leibniz::version_minor,
              leibniz::version_patch);
  static_assert(LEIBNIZ_VERSION_MAJOR == 0 && LEIBNIZ_VERSION_MINOR >= 1);
  return 0;
}
