# cmake-based ports (esp32, rp2): add our C core.
# -DASYNCIO_C=0 leaves it out, giving the pure-Python fallback image.
if(NOT DEFINED ASYNCIO_C)
    set(ASYNCIO_C 1)
endif()

if(ASYNCIO_C)
    add_library(usermod_our_asyncio INTERFACE)
    target_sources(usermod_our_asyncio INTERFACE
        ${CMAKE_CURRENT_LIST_DIR}/queues.c
        ${CMAKE_CURRENT_LIST_DIR}/task.c
        ${CMAKE_CURRENT_LIST_DIR}/awaitables.c
        ${CMAKE_CURRENT_LIST_DIR}/io.c
        ${CMAKE_CURRENT_LIST_DIR}/within.c
        ${CMAKE_CURRENT_LIST_DIR}/hooks.c
        ${CMAKE_CURRENT_LIST_DIR}/module.c
    )
    target_include_directories(usermod_our_asyncio INTERFACE ${CMAKE_CURRENT_LIST_DIR})
    # No extras frozen (the build exports ASYNCIO_EXTRAS): no extension hooks.
    if("$ENV{ASYNCIO_EXTRAS}" STREQUAL "core")
        target_compile_definitions(usermod_our_asyncio INTERFACE AIO_EXTRAS_HOOKS=0)
    endif()
    target_link_libraries(usermod INTERFACE usermod_our_asyncio)
endif()
