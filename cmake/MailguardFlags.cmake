# Compiler warnings and hardening for every mailguard target.
# mg_harden(target) applies them; common/ adds -fvisibility=hidden itself.

include(CheckPIESupported)
check_pie_supported()
set(CMAKE_POSITION_INDEPENDENT_CODE ON)

set(MG_WARN_FLAGS -Wall -Wextra -Werror -Wformat=2 -Wformat-security
    -Wshadow -Wpointer-arith -Wstrict-prototypes -Wmissing-prototypes
    -Wno-unused-parameter)
set(MG_HARDEN_FLAGS -fstack-protector-strong -fstack-clash-protection)
set(MG_HARDEN_LINK -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack)

if(MG_SANITIZE OR MG_FUZZ)
  set(MG_SAN_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
      -fno-omit-frame-pointer)
  add_compile_options(${MG_SAN_FLAGS})
  add_link_options(${MG_SAN_FLAGS})
  if(MG_FUZZ)
    # coverage instrumentation for the code under test; the fuzz
    # executables add -fsanitize=fuzzer (libFuzzer's main) themselves
    add_compile_options(-fsanitize=fuzzer-no-link)
  endif()
else()
  # _FORTIFY_SOURCE needs optimisation and does not mix with ASan.
  add_compile_definitions($<$<NOT:$<CONFIG:Debug>>:_FORTIFY_SOURCE=2>)
endif()

function(mg_harden target)
  target_compile_options(${target} PRIVATE ${MG_WARN_FLAGS} ${MG_HARDEN_FLAGS})
  target_link_options(${target} PRIVATE ${MG_HARDEN_LINK})
endfunction()
