#include <ATen/CPUGeneratorImpl.h>

#include "common.h"

using ogan::unwrap;
using ogan::wrap;

namespace {

// Generators are CPU generators: numbers are drawn on the CPU and then moved, so that a seed gives
// the same values on every device.
at::Tensor draw(const int64_t* shape, int ndim, int dtype, int device_type, int device_index, ogan_generator gen,
                bool normal) {
    auto sizes = ogan::to_vector(shape, ndim);
    at::Device device = ogan::to_device(device_type, device_index);
    at::ScalarType type = ogan::to_scalar_type(dtype);
    if (gen == nullptr) {
        auto opts = at::TensorOptions().dtype(type).device(device);
        return normal ? at::randn(sizes, opts) : at::rand(sizes, opts);
    }
    auto opts = at::TensorOptions().dtype(type);
    at::Tensor cpu = normal ? at::randn(sizes, gen->generator, opts) : at::rand(sizes, gen->generator, opts);
    return device.is_cpu() ? cpu : cpu.to(device);
}

}  // namespace

extern "C" {

ogan_generator ogan_generator_new(uint64_t seed) {
    OGAN_TRY
    return new ogan_generator_s{at::make_generator<at::CPUGeneratorImpl>(seed)};
    OGAN_CATCH(nullptr)
}

void ogan_generator_free(ogan_generator gen) { delete gen; }

ogan_tensor ogan_generator_get_state(ogan_generator gen) {
    OGAN_TRY
    if (gen == nullptr) throw std::invalid_argument("generator handle is null");
    return wrap(gen->generator.get_state());
    OGAN_CATCH(nullptr)
}

int ogan_generator_set_state(ogan_generator gen, ogan_tensor state) {
    OGAN_TRY
    if (gen == nullptr) throw std::invalid_argument("generator handle is null");
    gen->generator.set_state(unwrap(state));
    return 0;
    OGAN_CATCH(-1)
}

ogan_tensor ogan_random_randn(const int64_t* shape, int ndim, int dtype, int device_type, int device_index,
                              ogan_generator gen) {
    OGAN_TRY
    return wrap(draw(shape, ndim, dtype, device_type, device_index, gen, true));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_random_rand(const int64_t* shape, int ndim, int dtype, int device_type, int device_index,
                             ogan_generator gen) {
    OGAN_TRY
    return wrap(draw(shape, ndim, dtype, device_type, device_index, gen, false));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_random_randperm(int64_t n, ogan_generator gen) {
    OGAN_TRY
    if (gen == nullptr) return wrap(at::randperm(n, at::kLong));
    return wrap(at::randperm(n, gen->generator, at::kLong));
    OGAN_CATCH(nullptr)
}

int ogan_random_normal_(ogan_tensor t, double mean, double std, ogan_generator gen) {
    OGAN_TRY
    at::NoGradGuard no_grad;
    const at::Tensor& x = unwrap(t);
    if (gen == nullptr || x.is_cpu()) {
        x.normal_(mean, std, ogan::optional(gen));
    } else {
        x.copy_(at::empty(x.sizes(), x.options().device(at::kCPU)).normal_(mean, std, gen->generator));
    }
    return 0;
    OGAN_CATCH(-1)
}

int ogan_random_uniform_(ogan_tensor t, double low, double high, ogan_generator gen) {
    OGAN_TRY
    at::NoGradGuard no_grad;
    const at::Tensor& x = unwrap(t);
    if (gen == nullptr || x.is_cpu()) {
        x.uniform_(low, high, ogan::optional(gen));
    } else {
        x.copy_(at::empty(x.sizes(), x.options().device(at::kCPU)).uniform_(low, high, gen->generator));
    }
    return 0;
    OGAN_CATCH(-1)
}

}
