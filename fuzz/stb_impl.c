/* stb_image and stb_image_resize compiled from Debian's headers (libstb-dev) with the fuzzer's
   instrumentation, so that ASan and coverage reach inside the decoder. The executable's
   definitions take the place of libstb.so's; the headers are the same version. */
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb_image.h>
#include <stb_image_resize.h>
