# mmcheck_add_engine(NAME): compiles the model, the C++ scenarios and the engine's
# driver with MMCHECK_ENGINE_<NAME> into an object library; all engines are then
# linked into mmcheck_engines. Object libraries keep the scenarios' static
# registrations, which a static archive would drop.
add_library(mmcheck_engines INTERFACE)
target_link_libraries(mmcheck_engines INTERFACE rapidcheck)

function(mmcheck_add_engine name)
  string(TOUPPER ${name} upper)
  file(GLOB_RECURSE driver_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/checker/${name}/*.cpp)
  set(target mmcheck_engine_${name})
  add_library(${target} OBJECT ${MMCHECK_MODEL_SOURCES} ${driver_sources})
  target_compile_definitions(${target} PRIVATE MMCHECK_ENGINE_${upper} MMCHECK_ENGINE_NS=engine_${name})
  target_link_libraries(${target} PRIVATE mmcheck_core rapidcheck)
  # Unity batches: a model file's own code is small beside the seam and engine
  # headers it includes (Relacy's most of all), and the model is compiled once per
  # engine; batching the files parses those headers once per batch, not per file.
  # So file-local names must be unique across the model: a "redefinition" error in
  # Unity/unity_<n>_cxx.cxx means two files' anonymous namespaces share a name.
  set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
  # The target name orders the build (its objects exist before anything links
  # them); the object files themselves are linked through $<TARGET_OBJECTS>, since
  # an object library's objects reach only its direct consumers.
  target_link_libraries(mmcheck_engines INTERFACE ${target} $<TARGET_OBJECTS:${target}>)
  if(name STREQUAL "relacy" AND MMCHECK_SANITIZE MATCHES "undefined")
    # Relacy's own headers make member calls through type-punned storage, which
    # UBSan's vptr check reports; the check stays on for every other file.
    set_source_files_properties(${PROJECT_SOURCE_DIR}/checker/relacy/relacy_engine.cpp
                                TARGET_DIRECTORY ${target} PROPERTIES COMPILE_OPTIONS -fno-sanitize=vptr
                                SKIP_UNITY_BUILD_INCLUSION ON)
  endif()
  if(name STREQUAL "mc")
    target_link_libraries(${target} PRIVATE Boost::context)
    target_link_libraries(mmcheck_engines INTERFACE Boost::context)
  elseif(name STREQUAL "native")
    find_package(Threads REQUIRED)
    target_link_libraries(mmcheck_engines INTERFACE Threads::Threads)
  endif()
endfunction()

# mmcheck_add_engine_programs(TARGET SOURCES...): seam test programs compiled per
# engine (for tests only), linked into TARGET.
function(mmcheck_add_engine_programs target)
  foreach(engine IN LISTS MMCHECK_ENGINES)
    string(TOUPPER ${engine} upper)
    set(lib ${target}_${engine})
    add_library(${lib} OBJECT ${ARGN})
    target_compile_definitions(${lib} PRIVATE MMCHECK_ENGINE_${upper} MMCHECK_ENGINE_NS=engine_${engine})
    target_link_libraries(${lib} PRIVATE mmcheck_core)
    set_target_properties(${lib} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
    if(engine STREQUAL "mc")
      target_link_libraries(${lib} PRIVATE Boost::context)
    endif()
    target_link_libraries(${target} PRIVATE $<TARGET_OBJECTS:${lib}>)
  endforeach()
endfunction()
