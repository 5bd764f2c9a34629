// The model is compiled once per engine. Each build puts the engine-compiled code
// (seam, model, scenario bodies, engine driver) into its own inline namespace so
// that the copies link into one mmcheck binary without clashing, while source code
// keeps writing plain `mmcheck::kernel::...` names.
#pragma once

#if !defined(MMCHECK_ENGINE_NS)
#error "MMCHECK_ENGINE_NS must be set by the build (one of engine_native, engine_relacy, engine_mc)"
#endif

#define MMCHECK_ENGINE_BEGIN namespace mmcheck { inline namespace MMCHECK_ENGINE_NS {
#define MMCHECK_ENGINE_END } }
