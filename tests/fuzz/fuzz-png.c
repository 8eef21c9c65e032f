/* libFuzzer: the PNG reader (dv_png_read_bytes), as the Views page and `views reconstruct` use it. */
#include "io/png.h"

#include <stdint.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  DvImage img;
  GError *error = NULL;
  if (dv_png_read_bytes (data, size, &img, &error))
    {
      /* Touch every pixel: a short buffer would show here under ASan. */
      volatile float sum = 0.0f;
      for (size_t i = 0; i < (size_t) img.width * img.height * 3; i++)
        sum += img.rgb[i];
      dv_image_clear (&img);
    }
  else
    g_error_free (error);
  return 0;
}
