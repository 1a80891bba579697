#include <cstring>

#include "common.h"

using ogan::unwrap;
using ogan::wrap;

extern "C" {

void ogan_tensor_free(ogan_tensor t) {
    if (t == nullptr) return;
    try {
        delete t;
    } catch (...) {
        // A destructor that throws has nothing left to tell the caller; the handle is gone either way.
    }
    ogan::live_tensors().fetch_sub(1, std::memory_order_relaxed);
}

ogan_tensor ogan_tensor_from_data(const void* data, int64_t nbytes, const int64_t* shape, int ndim, int dtype,
                                  int device_type, int device_index) {
    OGAN_TRY
    auto sizes = ogan::to_vector(shape, ndim);
    at::Tensor cpu = at::empty(sizes, at::TensorOptions().dtype(ogan::to_scalar_type(dtype)));
    int64_t expected = cpu.numel() * static_cast<int64_t>(cpu.element_size());
    if (nbytes != expected)
        throw std::invalid_argument("data holds " + std::to_string(nbytes) + " bytes but shape " +
                                    c10::str(cpu.sizes()) + " needs " + std::to_string(expected));
    if (expected > 0) {
        if (data == nullptr) throw std::invalid_argument("data pointer is null");
        std::memcpy(cpu.data_ptr(), data, static_cast<size_t>(expected));
    }
    at::Device device = ogan::to_device(device_type, device_index);
    return wrap(device.is_cpu() ? cpu : cpu.to(device));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_tensor_from_blob(void* data, const int64_t* shape, int ndim, int dtype) {
    OGAN_TRY
    if (data == nullptr) throw std::invalid_argument("data pointer is null");
    auto sizes = ogan::to_vector(shape, ndim);
    return wrap(at::from_blob(data, sizes, at::TensorOptions().dtype(ogan::to_scalar_type(dtype))));
    OGAN_CATCH(nullptr)
}

int ogan_tensor_copy_to(ogan_tensor t, void* dst, int64_t nbytes) {
    OGAN_TRY
    at::Tensor cpu = unwrap(t).detach().to(at::kCPU).contiguous();
    int64_t expected = cpu.numel() * static_cast<int64_t>(cpu.element_size());
    if (nbytes != expected)
        throw std::invalid_argument("destination holds " + std::to_string(nbytes) + " bytes but the tensor has " +
                                    std::to_string(expected));
    if (expected > 0) {
        if (dst == nullptr) throw std::invalid_argument("destination pointer is null");
        std::memcpy(dst, cpu.data_ptr(), static_cast<size_t>(expected));
    }
    return 0;
    OGAN_CATCH(-1)
}

int ogan_tensor_ndim(ogan_tensor t) {
    OGAN_TRY
    return static_cast<int>(unwrap(t).dim());
    OGAN_CATCH(-1)
}

int ogan_tensor_shape(ogan_tensor t, int64_t* shape_out, int capacity) {
    OGAN_TRY
    const at::Tensor& x = unwrap(t);
    if (x.dim() > capacity) throw std::invalid_argument("shape buffer too small");
    for (int64_t i = 0; i < x.dim(); ++i) shape_out[i] = x.size(i);
    return static_cast<int>(x.dim());
    OGAN_CATCH(-1)
}

int ogan_tensor_dtype(ogan_tensor t) {
    OGAN_TRY
    return static_cast<int>(unwrap(t).scalar_type());
    OGAN_CATCH(-1)
}

int ogan_tensor_device(ogan_tensor t, int* type_out, int* index_out) {
    OGAN_TRY
    at::Device d = unwrap(t).device();
    *type_out = d.is_cuda() ? OGAN_DEVICE_CUDA : OGAN_DEVICE_CPU;
    *index_out = d.has_index() ? d.index() : 0;
    return 0;
    OGAN_CATCH(-1)
}

int64_t ogan_tensor_numel(ogan_tensor t) {
    OGAN_TRY
    return unwrap(t).numel();
    OGAN_CATCH(-1)
}

int ogan_tensor_item(ogan_tensor t, double* out) {
    OGAN_TRY
    *out = unwrap(t).item<double>();
    return 0;
    OGAN_CATCH(-1)
}

ogan_tensor ogan_tensor_to(ogan_tensor t, int dtype, int device_type, int device_index, int non_blocking) {
    OGAN_TRY
    return wrap(unwrap(t).to(ogan::to_device(device_type, device_index), ogan::to_scalar_type(dtype),
                             non_blocking != 0));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_tensor_pin_memory(ogan_tensor t) {
    OGAN_TRY
    return wrap(unwrap(t).pin_memory());
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_tensor_clone(ogan_tensor t) {
    OGAN_TRY
    return wrap(unwrap(t).clone());
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_tensor_detach(ogan_tensor t) {
    OGAN_TRY
    return wrap(unwrap(t).detach());
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_tensor_contiguous(ogan_tensor t) {
    OGAN_TRY
    return wrap(unwrap(t).contiguous());
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_tensor_full(const int64_t* shape, int ndim, double value, int dtype, int device_type,
                             int device_index) {
    OGAN_TRY
    return wrap(at::full(ogan::to_vector(shape, ndim), value, ogan::options(dtype, device_type, device_index)));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_tensor_arange(double start, double end, double step, int dtype, int device_type, int device_index) {
    OGAN_TRY
    return wrap(at::arange(start, end, step, ogan::options(dtype, device_type, device_index)));
    OGAN_CATCH(nullptr)
}

int ogan_tensor_copy_(ogan_tensor dst, ogan_tensor src) {
    OGAN_TRY
    at::NoGradGuard no_grad;
    unwrap(dst).copy_(unwrap(src));
    return 0;
    OGAN_CATCH(-1)
}

int ogan_tensor_fill_(ogan_tensor t, double value) {
    OGAN_TRY
    at::NoGradGuard no_grad;
    unwrap(t).fill_(value);
    return 0;
    OGAN_CATCH(-1)
}

int ogan_tensor_set_data(ogan_tensor t, ogan_tensor src) {
    OGAN_TRY
    unwrap(t).set_data(unwrap(src));
    return 0;
    OGAN_CATCH(-1)
}

}
