# FindMagic - libmagic (Debian: libmagic-dev); defines Magic::Magic
find_path(MAGIC_INCLUDE_DIR magic.h)
find_library(MAGIC_LIBRARY magic)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Magic DEFAULT_MSG MAGIC_LIBRARY MAGIC_INCLUDE_DIR)
if(Magic_FOUND AND NOT TARGET Magic::Magic)
  add_library(Magic::Magic UNKNOWN IMPORTED)
  set_target_properties(Magic::Magic PROPERTIES
    IMPORTED_LOCATION "${MAGIC_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${MAGIC_INCLUDE_DIR}")
endif()
