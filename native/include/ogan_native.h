/*
 * ogan_native.h - the whole C ABI that OGan owns over libtorch.
 *
 * Conventions
 * - Every function is named ogan_<area>_<op>; in-place ops end in '_'.
 * - A tensor is an opaque handle owning one at::Tensor; free it with ogan_tensor_free.
 * - No C++ exception crosses this boundary. A function that fails returns NULL (handle results)
 *   or -1 (int results) and stores libtorch's message in a thread-local last error, read with
 *   ogan_last_error(). A successful call does not clear it; callers check the return value first.
 * - Scalars cross as double, shapes as int64_t arrays, dtypes as OGAN_DTYPE_* (libtorch's own
 *   ScalarType numbers), devices as (type, index) with type OGAN_DEVICE_CPU or OGAN_DEVICE_CUDA.
 */
#ifndef OGAN_NATIVE_H
#define OGAN_NATIVE_H

#include <stdint.h>

#if defined(_WIN32)
#define OGAN_API __declspec(dllexport)
#else
#define OGAN_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ogan_tensor_s* ogan_tensor;
typedef struct ogan_generator_s* ogan_generator;

enum ogan_dtype {
    OGAN_DTYPE_UINT8 = 0,
    OGAN_DTYPE_INT32 = 3,
    OGAN_DTYPE_INT64 = 4,
    OGAN_DTYPE_FLOAT16 = 5,
    OGAN_DTYPE_FLOAT32 = 6,
    OGAN_DTYPE_FLOAT64 = 7,
    OGAN_DTYPE_BOOL = 11,
    OGAN_DTYPE_BFLOAT16 = 15
};

enum ogan_device_type { OGAN_DEVICE_CPU = 0, OGAN_DEVICE_CUDA = 1 };

enum ogan_unary_op {
    OGAN_UNARY_NEG, OGAN_UNARY_EXP, OGAN_UNARY_LOG, OGAN_UNARY_SQRT, OGAN_UNARY_RSQRT,
    OGAN_UNARY_ABS, OGAN_UNARY_SQUARE, OGAN_UNARY_RELU, OGAN_UNARY_TANH, OGAN_UNARY_SIGMOID,
    OGAN_UNARY_SIGN, OGAN_UNARY_FLOOR, OGAN_UNARY_ROUND, OGAN_UNARY_ISFINITE, OGAN_UNARY_SOFTPLUS,
    OGAN_UNARY_LOGICAL_NOT
};

enum ogan_binary_op {
    OGAN_BINARY_ADD, OGAN_BINARY_SUB, OGAN_BINARY_MUL, OGAN_BINARY_DIV, OGAN_BINARY_POW,
    OGAN_BINARY_MAXIMUM, OGAN_BINARY_MINIMUM,
    OGAN_BINARY_EQ, OGAN_BINARY_NE, OGAN_BINARY_LT, OGAN_BINARY_LE, OGAN_BINARY_GT, OGAN_BINARY_GE
};

enum ogan_reduce_op {
    OGAN_REDUCE_SUM, OGAN_REDUCE_MEAN, OGAN_REDUCE_STD, OGAN_REDUCE_VAR, OGAN_REDUCE_NORM,
    OGAN_REDUCE_MAX, OGAN_REDUCE_MIN, OGAN_REDUCE_ARGMAX
};

enum ogan_interpolate_mode {
    OGAN_INTERPOLATE_NEAREST, OGAN_INTERPOLATE_BILINEAR, OGAN_INTERPOLATE_BICUBIC, OGAN_INTERPOLATE_AREA
};

/* ---- errors (error.cpp) ---- */
OGAN_API const char* ogan_last_error(void);
OGAN_API void ogan_clear_error(void);

/* ---- runtime (runtime.cpp) ---- */
OGAN_API const char* ogan_runtime_torch_version(void);
OGAN_API int ogan_runtime_set_num_threads(int n);
OGAN_API int ogan_runtime_get_num_threads(void);
OGAN_API int ogan_runtime_manual_seed(uint64_t seed);
OGAN_API int ogan_runtime_cuda_is_available(void);
OGAN_API int ogan_runtime_cuda_device_count(void);
OGAN_API int ogan_runtime_cuda_synchronize(int device_index);
OGAN_API int ogan_runtime_set_cudnn_benchmark(int enabled);
/* Handles alive now (created and not yet freed): lets tests prove that nothing leaks. */
OGAN_API int64_t ogan_runtime_live_tensors(void);

/* ---- tensors: lifetime, data, properties (tensor.cpp) ---- */
OGAN_API void ogan_tensor_free(ogan_tensor t);
/* Copies nbytes from data (row-major, of dtype) into a new tensor on the given device. */
OGAN_API ogan_tensor ogan_tensor_from_data(const void* data, int64_t nbytes, const int64_t* shape, int ndim,
                                           int dtype, int device_type, int device_index);
/* A CPU tensor over memory the caller owns and keeps alive longer than the tensor (a memory-mapped file): no copy. */
OGAN_API ogan_tensor ogan_tensor_from_blob(void* data, const int64_t* shape, int ndim, int dtype);
/* Copies the tensor's elements (row-major) into dst, which holds exactly nbytes. */
OGAN_API int ogan_tensor_copy_to(ogan_tensor t, void* dst, int64_t nbytes);
OGAN_API int ogan_tensor_ndim(ogan_tensor t);
OGAN_API int ogan_tensor_shape(ogan_tensor t, int64_t* shape_out, int capacity);
OGAN_API int ogan_tensor_dtype(ogan_tensor t);
OGAN_API int ogan_tensor_device(ogan_tensor t, int* type_out, int* index_out);
OGAN_API int64_t ogan_tensor_numel(ogan_tensor t);
OGAN_API int ogan_tensor_item(ogan_tensor t, double* out);
OGAN_API ogan_tensor ogan_tensor_to(ogan_tensor t, int dtype, int device_type, int device_index, int non_blocking);
OGAN_API ogan_tensor ogan_tensor_pin_memory(ogan_tensor t);
OGAN_API ogan_tensor ogan_tensor_clone(ogan_tensor t);
OGAN_API ogan_tensor ogan_tensor_detach(ogan_tensor t);
OGAN_API ogan_tensor ogan_tensor_contiguous(ogan_tensor t);
OGAN_API ogan_tensor ogan_tensor_full(const int64_t* shape, int ndim, double value, int dtype, int device_type,
                                      int device_index);
OGAN_API ogan_tensor ogan_tensor_arange(double start, double end, double step, int dtype, int device_type,
                                        int device_index);
OGAN_API int ogan_tensor_copy_(ogan_tensor dst, ogan_tensor src);
OGAN_API int ogan_tensor_fill_(ogan_tensor t, double value);
/* Makes t hold src's data (device, dtype) while keeping t's identity and requires_grad (param.data = src). */
OGAN_API int ogan_tensor_set_data(ogan_tensor t, ogan_tensor src);

/* ---- random numbers (random.cpp); gen may be NULL for libtorch's default generator ---- */
OGAN_API ogan_generator ogan_generator_new(uint64_t seed);
OGAN_API void ogan_generator_free(ogan_generator gen);
OGAN_API ogan_tensor ogan_generator_get_state(ogan_generator gen);
OGAN_API int ogan_generator_set_state(ogan_generator gen, ogan_tensor state);
OGAN_API ogan_tensor ogan_random_randn(const int64_t* shape, int ndim, int dtype, int device_type, int device_index,
                                       ogan_generator gen);
OGAN_API ogan_tensor ogan_random_rand(const int64_t* shape, int ndim, int dtype, int device_type, int device_index,
                                      ogan_generator gen);
OGAN_API ogan_tensor ogan_random_randperm(int64_t n, ogan_generator gen);
OGAN_API int ogan_random_normal_(ogan_tensor t, double mean, double std, ogan_generator gen);
OGAN_API int ogan_random_uniform_(ogan_tensor t, double low, double high, ogan_generator gen);

/* ---- math (math.cpp) ---- */
OGAN_API ogan_tensor ogan_math_unary(ogan_tensor t, int op);
OGAN_API ogan_tensor ogan_math_binary(ogan_tensor a, ogan_tensor b, int op);
OGAN_API ogan_tensor ogan_math_binary_scalar(ogan_tensor a, double b, int op);
OGAN_API int ogan_math_binary_(ogan_tensor a, ogan_tensor b, int op);
OGAN_API int ogan_math_binary_scalar_(ogan_tensor a, double b, int op);
/* a += alpha * b */
OGAN_API int ogan_math_add_scaled_(ogan_tensor a, ogan_tensor b, double alpha);
/* a += weight * (b - a) */
OGAN_API int ogan_math_lerp_(ogan_tensor a, ogan_tensor b, double weight);
OGAN_API ogan_tensor ogan_math_clamp(ogan_tensor t, double min, double max, int has_min, int has_max);
OGAN_API ogan_tensor ogan_math_where(ogan_tensor condition, ogan_tensor a, ogan_tensor b);
/* dims == NULL or ndims == 0 reduces over all elements. correction: 1 for the unbiased std/var. */
OGAN_API ogan_tensor ogan_math_reduce(ogan_tensor t, int op, const int64_t* dims, int ndims, int keepdim,
                                      int correction);
OGAN_API ogan_tensor ogan_math_matmul(ogan_tensor a, ogan_tensor b);
/* The values sorted along dim, ascending unless descending != 0. */
OGAN_API ogan_tensor ogan_math_sort(ogan_tensor t, int64_t dim, int descending);

/* ---- shapes (shape.cpp) ---- */
OGAN_API ogan_tensor ogan_shape_reshape(ogan_tensor t, const int64_t* shape, int ndim);
OGAN_API ogan_tensor ogan_shape_view(ogan_tensor t, const int64_t* shape, int ndim);
OGAN_API ogan_tensor ogan_shape_permute(ogan_tensor t, const int64_t* dims, int ndim);
OGAN_API ogan_tensor ogan_shape_flatten(ogan_tensor t, int64_t start_dim, int64_t end_dim);
OGAN_API ogan_tensor ogan_shape_transpose(ogan_tensor t, int64_t dim0, int64_t dim1);
OGAN_API ogan_tensor ogan_shape_unsqueeze(ogan_tensor t, int64_t dim);
OGAN_API ogan_tensor ogan_shape_squeeze(ogan_tensor t, int64_t dim);
OGAN_API ogan_tensor ogan_shape_expand(ogan_tensor t, const int64_t* shape, int ndim);
OGAN_API ogan_tensor ogan_shape_cat(const ogan_tensor* ts, int count, int64_t dim);
OGAN_API ogan_tensor ogan_shape_stack(const ogan_tensor* ts, int count, int64_t dim);
OGAN_API ogan_tensor ogan_shape_slice(ogan_tensor t, int64_t dim, int64_t start, int64_t end, int64_t step);
OGAN_API ogan_tensor ogan_shape_index_select(ogan_tensor t, int64_t dim, ogan_tensor index);
OGAN_API ogan_tensor ogan_shape_flip(ogan_tensor t, const int64_t* dims, int ndims);
OGAN_API ogan_tensor ogan_shape_pad(ogan_tensor t, const int64_t* pads, int npads, double value);
OGAN_API ogan_tensor ogan_shape_to_channels_last(ogan_tensor t);

/* ---- neural-network functions (nn.cpp); bias, weight and running statistics may be NULL ---- */
OGAN_API ogan_tensor ogan_nn_linear(ogan_tensor input, ogan_tensor weight, ogan_tensor bias);
OGAN_API ogan_tensor ogan_nn_conv2d(ogan_tensor input, ogan_tensor weight, ogan_tensor bias, const int64_t* stride,
                                    const int64_t* padding, const int64_t* dilation, int64_t groups);
OGAN_API ogan_tensor ogan_nn_conv_transpose2d(ogan_tensor input, ogan_tensor weight, ogan_tensor bias,
                                              const int64_t* stride, const int64_t* padding,
                                              const int64_t* output_padding, const int64_t* dilation, int64_t groups);
/* Updates running_mean/running_var in place when training (PyTorch's momentum convention). */
OGAN_API ogan_tensor ogan_nn_batch_norm(ogan_tensor input, ogan_tensor weight, ogan_tensor bias,
                                        ogan_tensor running_mean, ogan_tensor running_var, int training,
                                        double momentum, double eps);
OGAN_API ogan_tensor ogan_nn_leaky_relu(ogan_tensor input, double negative_slope);
OGAN_API ogan_tensor ogan_nn_interpolate(ogan_tensor input, int64_t out_h, int64_t out_w, int mode,
                                         int align_corners, int antialias);
OGAN_API ogan_tensor ogan_nn_log_softmax(ogan_tensor input, int64_t dim);
OGAN_API ogan_tensor ogan_nn_cross_entropy(ogan_tensor logits, ogan_tensor targets);
OGAN_API ogan_tensor ogan_nn_avg_pool2d(ogan_tensor input, int64_t kernel, int64_t stride);

/* ---- autograd (autograd.cpp) ---- */
OGAN_API int ogan_autograd_set_requires_grad(ogan_tensor t, int requires_grad);
OGAN_API int ogan_autograd_requires_grad(ogan_tensor t);
/* *grad_out is NULL when the tensor has no gradient. */
OGAN_API int ogan_autograd_grad(ogan_tensor t, ogan_tensor* grad_out);
OGAN_API int ogan_autograd_zero_grad(ogan_tensor t);
/* grad may be NULL for a scalar t. */
OGAN_API int ogan_autograd_backward(ogan_tensor t, ogan_tensor grad, int retain_graph);
OGAN_API int ogan_autograd_set_grad_enabled(int enabled); /* returns the previous state */
OGAN_API int ogan_autograd_is_grad_enabled(void);

/* ---- optimizers (optim.cpp): one call updates every parameter, with PyTorch's update rules ---- */
OGAN_API int ogan_optim_adam_step(const ogan_tensor* params, const ogan_tensor* exp_avg,
                                  const ogan_tensor* exp_avg_sq, int count, int64_t step, double lr, double beta1,
                                  double beta2, double eps, double weight_decay);
OGAN_API int ogan_optim_rmsprop_step(const ogan_tensor* params, const ogan_tensor* square_avg, int count, double lr,
                                     double alpha, double eps, double weight_decay);

/* ---- images: JPEG (libjpeg-turbo), PNG (libpng), WebP (libwebp) (image.cpp) ----
 * Decoding gives planar uint8 (C, H, W), C = 1 (grey) or 3 (RGB), alpha composited on black; encoding takes
 * interleaved uint8 (H, W, C).
 * A build without the codec libraries fails these calls with a message saying what to install. */
enum ogan_image_format { OGAN_IMAGE_UNKNOWN = 0, OGAN_IMAGE_JPEG = 1, OGAN_IMAGE_PNG = 2, OGAN_IMAGE_WEBP = 3 };
/* Reads only the header: format and size. */
OGAN_API int ogan_image_probe(const uint8_t* data, int64_t size, int* format, int* width, int* height);
/* Decodes to `channels` (1 or 3). Images of more than max_pixels are refused from their header, before any
 * allocation. For JPEG, min_side > 0 lets libjpeg-turbo decode at the smallest DCT scale (1/8 .. 1) whose
 * shorter side is still at least min_side. */
OGAN_API ogan_tensor ogan_image_decode(const uint8_t* data, int64_t size, int channels, int min_side, int64_t max_pixels);
/* Encodes (H, W, C) pixels as OGAN_IMAGE_PNG (C 1-4), OGAN_IMAGE_JPEG or OGAN_IMAGE_WEBP (C 1 or 3, quality
 * 1-100; WebP at 100 is lossless) into a new 1-D uint8 tensor of the file's bytes. */
OGAN_API ogan_tensor ogan_image_encode(ogan_tensor pixels, int format, int quality);

#ifdef __cplusplus
}
#endif

#endif /* OGAN_NATIVE_H */
