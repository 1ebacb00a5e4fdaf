# Every dependency is a Debian package (scripts/setup.sh installs them), found here.
find_package(PkgConfig REQUIRED)
pkg_check_modules(FFTW3F REQUIRED IMPORTED_TARGET fftw3f)
pkg_check_modules(SNDFILE REQUIRED IMPORTED_TARGET sndfile)
pkg_check_modules(SOXR REQUIRED IMPORTED_TARGET soxr)
pkg_check_modules(MATIO REQUIRED IMPORTED_TARGET matio)
pkg_check_modules(PORTAUDIO REQUIRED IMPORTED_TARGET portaudio-2.0)
pkg_check_modules(STB REQUIRED IMPORTED_TARGET stb)
pkg_check_modules(ZMQ REQUIRED IMPORTED_TARGET libzmq)
pkg_check_modules(LIBLO REQUIRED IMPORTED_TARGET liblo)
find_package(HDF5 REQUIRED COMPONENTS C)
find_package(CLI11 CONFIG REQUIRED)
find_package(nlohmann_json 3 CONFIG REQUIRED)
find_path(READERWRITERQUEUE_INCLUDE_DIR readerwriterqueue/readerwriterqueue.h REQUIRED)

# HDF5's variables as one imported target.
add_library(statenet_hdf5 INTERFACE)
target_include_directories(statenet_hdf5 SYSTEM INTERFACE ${HDF5_INCLUDE_DIRS})
target_link_libraries(statenet_hdf5 INTERFACE ${HDF5_C_LIBRARIES})
target_compile_definitions(statenet_hdf5 INTERFACE ${HDF5_DEFINITIONS})

# A TrueType font for figure labels (Debian's fonts-dejavu-core); figures are still
# drawn, without text, when it is missing at run time.
set(STATENET_FONT_PATH "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf" CACHE FILEPATH
    "TrueType font used for figure labels")

if(STATENET_WITH_TORCH)
  find_package(Torch CONFIG QUIET)
  if(Torch_FOUND)
    message(STATUS "LibTorch ${Torch_VERSION} found")
  else()
    message(STATUS "LibTorch not found: model and training targets will be skipped")
  endif()
endif()

if(STATENET_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
  include(GoogleTest)
endif()
if(STATENET_BUILD_BENCH)
  find_package(benchmark CONFIG REQUIRED)
endif()
