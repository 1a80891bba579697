// Image codecs through Debian's security-maintained libraries: libjpeg-turbo (TurboJPEG API), libpng
// (simplified png_image API) and libwebp. Pixels cross as uint8 (H, W, C) tensors. Headers are read
// and sizes checked before anything is allocated for the pixels.
#include "common.h"

#include <algorithm>
#include <cstring>
#include <memory>

#ifdef OGAN_WITH_IMAGES
#include <png.h>
#include <turbojpeg.h>
#include <webp/decode.h>
#include <webp/encode.h>
#endif

namespace {

#ifdef OGAN_WITH_IMAGES

struct Header {
    int format = OGAN_IMAGE_UNKNOWN;
    int width = 0;
    int height = 0;
};

int sniff(const uint8_t* data, int64_t size) {
    if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return OGAN_IMAGE_JPEG;
    static const uint8_t png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (size >= 8 && std::memcmp(data, png_magic, 8) == 0) return OGAN_IMAGE_PNG;
    if (size >= 12 && std::memcmp(data, "RIFF", 4) == 0 && std::memcmp(data + 8, "WEBP", 4) == 0) return OGAN_IMAGE_WEBP;
    return OGAN_IMAGE_UNKNOWN;
}

struct TurboHandle {
    tjhandle handle;
    explicit TurboHandle(bool compress) : handle(compress ? tjInitCompress() : tjInitDecompress()) {
        if (handle == nullptr) throw std::runtime_error("libjpeg-turbo could not start");
    }
    ~TurboHandle() { tjDestroy(handle); }
    [[noreturn]] void fail(const char* what) const {
        throw std::runtime_error(std::string(what) + ": " + tjGetErrorStr2(handle));
    }
};

struct PngImage {
    png_image image;
    PngImage() {
        std::memset(&image, 0, sizeof image);
        image.version = PNG_IMAGE_VERSION;
    }
    ~PngImage() { png_image_free(&image); }
    [[noreturn]] void fail(const char* what) const {
        throw std::runtime_error(std::string(what) + ": " + image.message);
    }
};

Header probe(const uint8_t* data, int64_t size) {
    if (data == nullptr || size <= 0) throw std::invalid_argument("the file is empty");
    Header h;
    h.format = sniff(data, size);
    switch (h.format) {
        case OGAN_IMAGE_JPEG: {
            TurboHandle tj(false);
            int subsampling = 0, colorspace = 0;
            if (tjDecompressHeader3(tj.handle, data, static_cast<unsigned long>(size), &h.width, &h.height, &subsampling,
                                    &colorspace) != 0)
                tj.fail("not a readable JPEG");
            if (h.width <= 0 || h.height <= 0) throw std::runtime_error("not a readable JPEG: its header is incomplete");
            break;
        }
        case OGAN_IMAGE_PNG: {
            PngImage png;
            if (!png_image_begin_read_from_memory(&png.image, data, static_cast<size_t>(size))) png.fail("not a readable PNG");
            h.width = static_cast<int>(png.image.width);
            h.height = static_cast<int>(png.image.height);
            break;
        }
        case OGAN_IMAGE_WEBP:
            if (!WebPGetInfo(data, static_cast<size_t>(size), &h.width, &h.height))
                throw std::runtime_error("not a readable WebP");
            break;
        default:
            throw std::runtime_error("not a JPEG, PNG or WebP image");
    }
    return h;
}

void check_size(int width, int height, int64_t max_pixels) {
    if (width <= 0 || height <= 0) throw std::runtime_error("the image has no pixels");
    if (static_cast<int64_t>(width) * height > max_pixels)
        throw std::runtime_error("the image claims " + std::to_string(width) + "x" + std::to_string(height) +
                                 " pixels, more than the limit of " + std::to_string(max_pixels));
}

at::Tensor decode_jpeg(const uint8_t* data, int64_t size, int channels, int min_side, const Header& h) {
    TurboHandle tj(false);
    int width = h.width, height = h.height;
    int count = 0;
    const tjscalingfactor* factors = tjGetScalingFactors(&count);
    tjscalingfactor chosen{1, 1};
    for (int i = 0; min_side > 0 && i < count; ++i) {
        const tjscalingfactor& f = factors[i];
        if (f.num > f.denom) continue;
        int w = TJSCALED(h.width, f), hh = TJSCALED(h.height, f);
        if (std::min(w, hh) >= min_side && static_cast<int64_t>(w) * hh < static_cast<int64_t>(width) * height) {
            chosen = f;
            width = w;
            height = hh;
        }
    }
    at::Tensor out = at::empty({height, width, channels}, at::kByte);
    int pixel_format = channels == 1 ? TJPF_GRAY : TJPF_RGB;
    if (tjDecompress2(tj.handle, data, static_cast<unsigned long>(size), out.data_ptr<uint8_t>(), width, 0, height,
                      pixel_format, TJFLAG_ACCURATEDCT) != 0) {
        // A warning (e.g. a truncated file with most of its data) still leaves a usable image.
        if (tjGetErrorCode(tj.handle) != TJERR_WARNING) tj.fail("corrupt JPEG");
    }
    return out;
}

at::Tensor decode_png(const uint8_t* data, int64_t size, int channels, int64_t max_pixels) {
    PngImage png;
    if (!png_image_begin_read_from_memory(&png.image, data, static_cast<size_t>(size))) png.fail("not a readable PNG");
    check_size(static_cast<int>(png.image.width), static_cast<int>(png.image.height), max_pixels);
    auto height = static_cast<int64_t>(png.image.height), width = static_cast<int64_t>(png.image.width);
    png_uint_32 base = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
    if ((png.image.format & PNG_FORMAT_FLAG_LINEAR) == 0) {
        png.image.format = base;
        at::Tensor out = at::empty({height, width, channels}, at::kByte);
        png_color black{0, 0, 0};
        if (!png_image_finish_read(&png.image, &black, out.data_ptr<uint8_t>(), 0, nullptr)) png.fail("corrupt PNG");
        return out;
    }
    // 16-bit: libpng's 8-bit path would treat the samples as linear light and gamma-encode them; read the
    // samples as they are (alpha composited on black) and keep the high 8 bits, rounded, as image tools do.
    png.image.format = base | PNG_FORMAT_FLAG_LINEAR;
    std::vector<uint16_t> samples(static_cast<size_t>(height * width * channels));
    if (!png_image_finish_read(&png.image, nullptr, samples.data(), 0, nullptr)) png.fail("corrupt PNG");
    at::Tensor out = at::empty({height, width, channels}, at::kByte);
    uint8_t* target = out.data_ptr<uint8_t>();
    for (size_t i = 0; i < samples.size(); ++i) target[i] = static_cast<uint8_t>((samples[i] + 128) / 257);
    return out;
}

at::Tensor decode_webp(const uint8_t* data, int64_t size, int channels, const Header& h) {
    std::vector<uint8_t> rgba(static_cast<size_t>(h.width) * h.height * 4);
    if (WebPDecodeRGBAInto(data, static_cast<size_t>(size), rgba.data(), rgba.size(), h.width * 4) == nullptr)
        throw std::runtime_error("corrupt WebP");
    // Composite on black, then keep RGB or take the ITU-R 601 luma.
    at::Tensor out = at::empty({h.height, h.width, channels}, at::kByte);
    uint8_t* target = out.data_ptr<uint8_t>();
    for (size_t p = 0; p < rgba.size() / 4; ++p) {
        const uint8_t* px = &rgba[p * 4];
        float alpha = px[3] / 255.0f, r = px[0] * alpha, g = px[1] * alpha, b = px[2] * alpha;
        if (channels == 1) {
            target[p] = static_cast<uint8_t>(std::min(255.0f, 0.299f * r + 0.587f * g + 0.114f * b + 0.5f));
        } else {
            target[p * 3] = static_cast<uint8_t>(r + 0.5f);
            target[p * 3 + 1] = static_cast<uint8_t>(g + 0.5f);
            target[p * 3 + 2] = static_cast<uint8_t>(b + 0.5f);
        }
    }
    return out;
}

// Interleaved (H, W, C) to planar (C, H, W) in a plain loop: no libtorch kernel, so a decoding worker
// thread starts no OpenMP team of its own (which would compete with the other workers for the cores).
at::Tensor to_planar(const at::Tensor& hwc) {
    int64_t height = hwc.size(0), width = hwc.size(1), channels = hwc.size(2);
    if (channels == 1) return hwc.view({1, height, width});
    at::Tensor chw = at::empty({channels, height, width}, at::kByte);
    const uint8_t* source = hwc.data_ptr<uint8_t>();
    uint8_t* target = chw.data_ptr<uint8_t>();
    int64_t plane = height * width;
    for (int64_t p = 0; p < plane; ++p)
        for (int64_t c = 0; c < channels; ++c) target[c * plane + p] = source[p * channels + c];
    return chw;
}

at::Tensor encode_png(const at::Tensor& pixels) {
    PngImage png;
    png.image.width = static_cast<png_uint_32>(pixels.size(1));
    png.image.height = static_cast<png_uint_32>(pixels.size(0));
    static const png_uint_32 formats[5] = {0, PNG_FORMAT_GRAY, PNG_FORMAT_GA, PNG_FORMAT_RGB, PNG_FORMAT_RGBA};
    png.image.format = formats[pixels.size(2)];
    png_alloc_size_t size = 0;
    if (!png_image_write_to_memory(&png.image, nullptr, &size, 0, pixels.data_ptr<uint8_t>(), 0, nullptr))
        png.fail("PNG encoding failed");
    at::Tensor out = at::empty({static_cast<int64_t>(size)}, at::kByte);
    if (!png_image_write_to_memory(&png.image, out.data_ptr<uint8_t>(), &size, 0, pixels.data_ptr<uint8_t>(), 0, nullptr))
        png.fail("PNG encoding failed");
    return out.narrow(0, 0, static_cast<int64_t>(size)).clone();
}

at::Tensor encode_jpeg(const at::Tensor& pixels, int quality) {
    if (pixels.size(2) != 1 && pixels.size(2) != 3) throw std::invalid_argument("JPEG takes 1 or 3 channels");
    TurboHandle tj(true);
    int width = static_cast<int>(pixels.size(1)), height = static_cast<int>(pixels.size(0));
    bool grey = pixels.size(2) == 1;
    unsigned long capacity = tjBufSize(width, height, grey ? TJSAMP_GRAY : TJSAMP_420);
    at::Tensor out = at::empty({static_cast<int64_t>(capacity)}, at::kByte);
    unsigned char* buffer = out.data_ptr<uint8_t>();
    unsigned long size = capacity;
    if (tjCompress2(tj.handle, pixels.data_ptr<uint8_t>(), width, 0, height, grey ? TJPF_GRAY : TJPF_RGB, &buffer, &size,
                    grey ? TJSAMP_GRAY : TJSAMP_420, quality, TJFLAG_NOREALLOC | TJFLAG_ACCURATEDCT) != 0)
        tj.fail("JPEG encoding failed");
    return out.narrow(0, 0, static_cast<int64_t>(size)).clone();
}

at::Tensor encode_webp(const at::Tensor& pixels, int quality) {
    if (pixels.size(2) != 1 && pixels.size(2) != 3) throw std::invalid_argument("WebP encoding takes 1 or 3 channels");
    at::Tensor rgb = pixels.size(2) == 3 ? pixels : pixels.expand({-1, -1, 3}).contiguous();
    int width = static_cast<int>(rgb.size(1)), height = static_cast<int>(rgb.size(0));
    uint8_t* buffer = nullptr;
    size_t size = quality >= 100 ? WebPEncodeLosslessRGB(rgb.data_ptr<uint8_t>(), width, height, width * 3, &buffer)
                                 : WebPEncodeRGB(rgb.data_ptr<uint8_t>(), width, height, width * 3, static_cast<float>(quality), &buffer);
    std::unique_ptr<uint8_t, void (*)(void*)> owned(buffer, WebPFree);
    if (size == 0) throw std::runtime_error("WebP encoding failed");
    at::Tensor out = at::empty({static_cast<int64_t>(size)}, at::kByte);
    std::memcpy(out.data_ptr<uint8_t>(), buffer, size);
    return out;
}

#else

[[noreturn]] void no_images() {
    throw std::runtime_error("this build of ogan_native has no image codecs: install libturbojpeg0-dev, libpng-dev and "
                             "libwebp-dev and rebuild native/");
}

#endif

}  // namespace

int ogan_image_probe(const uint8_t* data, int64_t size, int* format, int* width, int* height) {
    OGAN_TRY
#ifdef OGAN_WITH_IMAGES
    Header h = probe(data, size);
    *format = h.format;
    *width = h.width;
    *height = h.height;
    return 0;
#else
    no_images();
#endif
    OGAN_CATCH(-1)
}

ogan_tensor ogan_image_decode(const uint8_t* data, int64_t size, int channels, int min_side, int64_t max_pixels) {
    OGAN_TRY
#ifdef OGAN_WITH_IMAGES
    if (channels != 1 && channels != 3) throw std::invalid_argument("channels must be 1 or 3");
    Header h = probe(data, size);
    check_size(h.width, h.height, max_pixels);
    switch (h.format) {
        case OGAN_IMAGE_JPEG: return ogan::wrap(to_planar(decode_jpeg(data, size, channels, min_side, h)));
        case OGAN_IMAGE_PNG: return ogan::wrap(to_planar(decode_png(data, size, channels, max_pixels)));
        default: return ogan::wrap(to_planar(decode_webp(data, size, channels, h)));
    }
#else
    no_images();
#endif
    OGAN_CATCH(nullptr)
}

ogan_tensor ogan_image_encode(ogan_tensor pixels, int format, int quality) {
    OGAN_TRY
#ifdef OGAN_WITH_IMAGES
    const at::Tensor& t = ogan::unwrap(pixels);
    if (t.dim() != 3 || t.scalar_type() != at::kByte || t.size(2) < 1 || t.size(2) > 4 || t.size(0) < 1 || t.size(1) < 1)
        throw std::invalid_argument("pixels must be a non-empty uint8 (H, W, C) tensor with 1 to 4 channels");
    at::Tensor contiguous = t.to(at::kCPU).contiguous();
    if (format == OGAN_IMAGE_PNG) return ogan::wrap(encode_png(contiguous));
    if (quality < 1 || quality > 100) throw std::invalid_argument("quality must lie in 1..100");
    if (format == OGAN_IMAGE_JPEG) return ogan::wrap(encode_jpeg(contiguous, quality));
    if (format == OGAN_IMAGE_WEBP) return ogan::wrap(encode_webp(contiguous, quality));
    throw std::invalid_argument("unknown image format");
#else
    no_images();
#endif
    OGAN_CATCH(nullptr)
}
