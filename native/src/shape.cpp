#include "common.h"

using ogan::unwrap;
using ogan::wrap;

extern "C" {

ogan_tensor ogan_shape_reshape(ogan_tensor t, const int64_t* shape, int ndim) {
    OGAN_TRY
    return wrap(unwrap(t).reshape(ogan::to_vector(shape, ndim)));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_shape_view(ogan_tensor t, const int64_t* shape, int ndim) {
    OGAN_TRY
    return wrap(unwrap(t).view(ogan::to_vector(shape, ndim)));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_shape_permute(ogan_tensor t, const int64_t* dims, int ndim) {
    OGAN_TRY
    return wrap(unwrap(t).permute(ogan::to_vector(dims, ndim)));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_shape_flatten(ogan_tensor t, int64_t start_dim, int64_t end_dim) {
    OGAN_TRY
    return wrap(unwrap(t).flatten(start_dim, end_dim));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_shape_transpose(ogan_tensor t, int64_t dim0, int64_t dim1) {
    OGAN_TRY
    return wrap(unwrap(t).transpose(dim0, dim1));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_shape_unsqueeze(ogan_tensor t, int64_t dim) {
    OGAN_TRY
    return wrap(unwrap(t).unsqueeze(dim));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_shape_squeeze(ogan_tensor t, int64_t dim) {
    OGAN_TRY
    return wrap(unwrap(t).squeeze(dim));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_shape_expand(ogan_tensor t, const int64_t* shape, int ndim) {
    OGAN_TRY
    return wrap(unwrap(t).expand(ogan::to_vector(shape, ndim)));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_shape_cat(const ogan_tensor* ts, int count, int64_t dim) {
    OGAN_TRY
    return wrap(at::cat(ogan::unwrap_all(ts, count), dim));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_shape_stack(const ogan_tensor* ts, int count, int64_t dim) {
    OGAN_TRY
    return wrap(at::stack(ogan::unwrap_all(ts, count), dim));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_shape_slice(ogan_tensor t, int64_t dim, int64_t start, int64_t end, int64_t step) {
    OGAN_TRY
    return wrap(unwrap(t).slice(dim, start, end, step));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_shape_index_select(ogan_tensor t, int64_t dim, ogan_tensor index) {
    OGAN_TRY
    return wrap(unwrap(t).index_select(dim, unwrap(index)));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_shape_flip(ogan_tensor t, const int64_t* dims, int ndims) {
    OGAN_TRY
    return wrap(unwrap(t).flip(ogan::to_vector(dims, ndims)));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_shape_pad(ogan_tensor t, const int64_t* pads, int npads, double value) {
    OGAN_TRY
    return wrap(at::constant_pad_nd(unwrap(t), ogan::to_vector(pads, npads), value));
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_shape_to_channels_last(ogan_tensor t) {
    OGAN_TRY
    return wrap(unwrap(t).contiguous(at::MemoryFormat::ChannelsLast));
    OGAN_CATCH(nullptr)
}

}
