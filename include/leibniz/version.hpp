// leibniz: expression-template automatic differentiation.
//
// The library version. It is defined here and nowhere else: the top-level
// CMakeLists.txt reads the three LEIBNIZ_VERSION_* macros below with a regex,
// so keep each on its own line in the form `#define LEIBNIZ_VERSION_X <digits>`.
#ifndef LEIBNIZ_VERSION_HPP
#define LEIBNIZ_VERSION_HPP

#define LEIBNIZ_VERSION_MAJOR 0
#define LEIBNIZ_VERSION_MINOR 1
#define LEIBNIZ_VERSION_PATCH 0

// Single number for preprocessor comparisons: MAJOR * 10000 + MINOR * 100 + PATCH.
#define LEIBNIZ_VERSION \
  (LEIBNIZ_VERSION_MAJOR * 10000 + LEIBNIZ_VERSION_MINOR * 100 + LEIBNIZ_VERSION_PATCH)

namespace leibniz {

inline constexpr int version_major = LEIBNIZ_VERSION_MAJOR;
inline constexpr int version_minor = LEIBNIZ_VERSION_MINOR;
inline constexpr int version_patch = LEIBNIZ_VERSION_PATCH;
inline constexpr int version = LEIBNIZ_VERSION;

}  // namespace leibniz

#endif  // LEIBNIZ_VERSION_HPP
