#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>

#include "common.h"

#if __has_include(<torch/version.h>)
#include <torch/version.h>
#endif

extern "C" {

const char* ogan_runtime_torch_version(void) {
#ifdef TORCH_VERSION
    return TORCH_VERSION;
#else
    return "unknown";
#endif
}

int ogan_runtime_set_num_threads(int n) {
    OGAN_TRY
    if (n < 1) throw std::invalid_argument("thread count must be at least 1, got " + std::to_string(n));
    at::set_num_threads(n);
    return 0;
    OGAN_CATCH(-1)
}

int ogan_runtime_get_num_threads(void) {
    OGAN_TRY
    return at::get_num_threads();
    OGAN_CATCH(-1)
}

int ogan_runtime_manual_seed(uint64_t seed) {
    OGAN_TRY
    at::manual_seed(seed);
    return 0;
    OGAN_CATCH(-1)
}

int ogan_runtime_cuda_is_available(void) {
    OGAN_TRY
    return at::detail::getCUDAHooks().hasCUDA() && at::detail::getCUDAHooks().getNumGPUs() > 0 ? 1 : 0;
    OGAN_CATCH(0)
}

int ogan_runtime_cuda_device_count(void) {
    OGAN_TRY
    return at::detail::getCUDAHooks().hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0;
    OGAN_CATCH(0)
}

int ogan_runtime_cuda_synchronize(int device_index) {
    OGAN_TRY
    at::detail::getCUDAHooks().deviceSynchronize(device_index);
    return 0;
    OGAN_CATCH(-1)
}

int ogan_runtime_set_cudnn_benchmark(int enabled) {
    OGAN_TRY
    at::globalContext().setBenchmarkCuDNN(enabled != 0);
    return 0;
    OGAN_CATCH(-1)
}

int64_t ogan_runtime_live_tensors(void) { return ogan::live_tensors().load(); }

}
