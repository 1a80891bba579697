// Shared by every translation unit of the shim: the handle types, the error store and the guards
// that keep C++ exceptions from crossing the C ABI.
#pragma once

#include <ATen/ATen.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "ogan_native.h"

struct ogan_tensor_s {
    at::Tensor tensor;
};

struct ogan_generator_s {
    at::Generator generator;
};

namespace ogan {

void set_last_error(const std::string& message);
std::atomic<int64_t>& live_tensors();

// Takes ownership of t in a new handle.
ogan_tensor wrap(at::Tensor t);

inline const at::Tensor& unwrap(ogan_tensor t) {
    if (t == nullptr) throw std::invalid_argument("tensor handle is null (was it disposed?)");
    return t->tensor;
}

// A nullable tensor argument (optional bias, running statistics).
inline c10::optional<at::Tensor> optional(ogan_tensor t) {
    if (t == nullptr) return c10::nullopt;
    return t->tensor;
}

inline c10::optional<at::Generator> optional(ogan_generator g) {
    if (g == nullptr) return c10::nullopt;
    return g->generator;
}

at::ScalarType to_scalar_type(int dtype);
at::Device to_device(int device_type, int device_index);
at::TensorOptions options(int dtype, int device_type, int device_index);
std::vector<int64_t> to_vector(const int64_t* values, int count);
std::vector<at::Tensor> unwrap_all(const ogan_tensor* ts, int count);

}  // namespace ogan

// Every export body runs inside one of these. They catch everything, record the message and
// return the failure value of the function's result type.
#define OGAN_TRY try {
#define OGAN_CATCH(failure)                                          \
    }                                                                \
    catch (const c10::Error& e) {                                    \
        ogan::set_last_error(e.what_without_backtrace());            \
        return failure;                                              \
    }                                                                \
    catch (const std::exception& e) {                                \
        ogan::set_last_error(e.what());                              \
        return failure;                                              \
    }                                                                \
    catch (...) {                                                    \
        ogan::set_last_error("unknown native error");                \
        return failure;                                              \
    }
