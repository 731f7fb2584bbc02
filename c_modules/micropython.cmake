# USER_C_MODULES entry point for cmake-based ports: lists our C modules.
include(${CMAKE_CURRENT_LIST_DIR}/_asyncio/micropython.cmake)
