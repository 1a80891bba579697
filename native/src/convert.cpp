// Conversions between the C ABI's plain values and libtorch's types.
#include "common.h"

namespace ogan {

std::atomic<int64_t>& live_tensors() {
    static std::atomic<int64_t> count{0};
    return count;
}

ogan_tensor wrap(at::Tensor t) {
    auto* handle = new ogan_tensor_s{std::move(t)};
    live_tensors().fetch_add(1, std::memory_order_relaxed);
    return handle;
}

at::ScalarType to_scalar_type(int dtype) {
    switch (dtype) {
        case OGAN_DTYPE_UINT8: return at::kByte;
        case OGAN_DTYPE_INT32: return at::kInt;
        case OGAN_DTYPE_INT64: return at::kLong;
        case OGAN_DTYPE_FLOAT16: return at::kHalf;
        case OGAN_DTYPE_FLOAT32: return at::kFloat;
        case OGAN_DTYPE_FLOAT64: return at::kDouble;
        case OGAN_DTYPE_BOOL: return at::kBool;
        case OGAN_DTYPE_BFLOAT16: return at::kBFloat16;
        default: throw std::invalid_argument("unsupported dtype code " + std::to_string(dtype));
    }
}

at::Device to_device(int device_type, int device_index) {
    switch (device_type) {
        case OGAN_DEVICE_CPU: return at::Device(at::kCPU);
        case OGAN_DEVICE_CUDA:
            if (device_index < 0) throw std::invalid_argument("negative CUDA device index");
            return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(device_index));
        default: throw std::invalid_argument("unsupported device type " + std::to_string(device_type));
    }
}

at::TensorOptions options(int dtype, int device_type, int device_index) {
    return at::TensorOptions().dtype(to_scalar_type(dtype)).device(to_device(device_type, device_index));
}

std::vector<int64_t> to_vector(const int64_t* values, int count) {
    if (count < 0) throw std::invalid_argument("negative length");
    if (count > 0 && values == nullptr) throw std::invalid_argument("array argument is null");
    return std::vector<int64_t>(values, values + count);
}

std::vector<at::Tensor> unwrap_all(const ogan_tensor* ts, int count) {
    if (count < 0 || (count > 0 && ts == nullptr)) throw std::invalid_argument("tensor array is null");
    std::vector<at::Tensor> result;
    result.reserve(count);
    for (int i = 0; i < count; ++i) result.push_back(unwrap(ts[i]));
    return result;
}

}  // namespace ogan
