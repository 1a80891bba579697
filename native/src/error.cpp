#include "common.h"

namespace {
thread_local std::string last_error;
thread_local bool has_error = false;
}  // namespace

namespace ogan {

void set_last_error(const std::string& message) {
    last_error = message;
    has_error = true;
}

}  // namespace ogan

extern "C" {

const char* ogan_last_error(void) { return has_error ? last_error.c_str() : nullptr; }

void ogan_clear_error(void) {
    has_error = false;
    last_error.clear();
}

}
