/* A small z-buffer rasteriser: perspective camera on a ring around the object,
 * Lambert + ambient shading (a key light fixed to the world, a fill light on
 * the camera), supersampled,
 * white background, 8-bit RGB out. One DvRasterizer per thread. */
#pragma once

#include "views/mesh.h"

G_BEGIN_DECLS

/* The camera ring of the multi-view data: front, right, back, left. */
#define DV_VIEW_COUNT 4
#define DV_VIEW_SIZE 64

typedef enum {
  DV_VIEW_FRONT,  /* azimuth 0°: camera on +z, facing the object's front */
  DV_VIEW_RIGHT,  /* azimuth 90°: camera on +x, on the right of a viewer facing the front */
  DV_VIEW_BACK,   /* azimuth 180° */
  DV_VIEW_LEFT,   /* azimuth 270° */
} DvView;

const char *dv_view_name (int view);
float dv_view_azimuth_deg (int view);

typedef struct {
  int width;            /* output pixels; 64 by default */
  int height;
  int supersample;      /* samples per pixel along each side, 2..8; 3 by default */
  float elevation_deg;  /* camera height on the ring; 30 */
  float distance;       /* camera distance from the centre in bounding-sphere radii, > 1.05; 2.5 */
  float ambient;        /* light terms: colour * (ambient + diffuse * max(0, n·l)), clamped to 1 */
  float diffuse;
} DvRasterizerConfig;

void dv_rasterizer_config_init (DvRasterizerConfig *options);

typedef struct DvRasterizer DvRasterizer;

/* options NULL for the defaults; they are checked with DV_CHECK. */
DvRasterizer *dv_rasterizer_new (const DvRasterizerConfig *options);
void dv_rasterizer_free (DvRasterizer *rasterizer);
const DvRasterizerConfig *dv_rasterizer_get_config (const DvRasterizer *rasterizer);

/* Renders the mesh from the given azimuth into rgb ([height][width][3]).
 * The mesh is first centred and scaled to its unit bounding sphere (without
 * modifying it), and the field of view holds that whole sphere, so nothing
 * ever leaves the frame. Normals are flipped towards the camera, so the
 * winding of the triangles does not matter. */
void dv_rasterizer_render (DvRasterizer *rasterizer, const DvMesh *mesh, float azimuth_deg, guint8 *rgb);
/* All DV_VIEW_COUNT views into rgb ([DV_VIEW_COUNT][height][width][3]). */
void dv_rasterizer_render_views (DvRasterizer *rasterizer, const DvMesh *mesh, guint8 *rgb);
/* Lays the views ([n][h][w][3]) side by side into strip ([h][n * w][3]). */
void dv_views_to_strip (const guint8 *views, int n_views, int width, int height, guint8 *strip);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DvRasterizer, dv_rasterizer_free)

G_END_DECLS
