#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define DV_TYPE_PLAYGROUND_PAGE (dv_playground_page_get_type ())
G_DECLARE_FINAL_TYPE (DvPlaygroundPage, dv_playground_page, DV, PLAYGROUND_PAGE, AdwBin)

/* The Playground page: 2D diffusion and GAN-diffusion training live. */

G_END_DECLS
