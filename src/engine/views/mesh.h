/* Triangle meshes built from coloured primitives, for the multi-view renderer.
 *
 * Conventions: y is up, an object's front faces +z, x runs from its left to
 * its right as seen from the front. Every unit primitive fits the cube
 * [-0.5, 0.5]^3, so a transform translate(centre) * rotate * scale(size)
 * places a part of the given bounding size. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

typedef struct {
  float *positions;  /* [n_vertices][3] */
  float *normals;    /* [n_vertices][3], unit length */
  guint32 *indices;  /* [n_triangles][3] */
  guint8 *colors;    /* [n_triangles][3], one RGB colour per triangle */
  guint n_vertices;
  guint n_triangles;
  guint vertex_capacity;
  guint triangle_capacity;
} DvMesh;

void dv_mesh_init (DvMesh *mesh);
void dv_mesh_clear (DvMesh *mesh);
/* Drops the geometry but keeps the buffers for the next object. */
void dv_mesh_reset (DvMesh *mesh);
/* Grows the buffers so that `extra_*` more can be added without reallocating. */
void dv_mesh_reserve (DvMesh *mesh, guint extra_vertices, guint extra_triangles);
guint32 dv_mesh_add_vertex (DvMesh *mesh, const float position[3], const float normal[3]);
void dv_mesh_add_triangle (DvMesh *mesh, guint32 a, guint32 b, guint32 c, const guint8 rgb[3]);
/* Appends `src` (all of it) to `dst`. */
void dv_mesh_append (DvMesh *dst, const DvMesh *src);

/* Axis-aligned bounds; FALSE for an empty mesh. */
gboolean dv_mesh_bounds (const DvMesh *mesh, float lo[3], float hi[3]);
/* Centre (of the bounding box) and radius of a sphere holding every vertex. */
gboolean dv_mesh_bounding_sphere (const DvMesh *mesh, float centre[3], float *radius);
/* Moves and scales the mesh so that this sphere becomes the unit sphere at the origin. */
void dv_mesh_normalize_unit_sphere (DvMesh *mesh);
/* Everything finite, indices in range, normals unit, at least one triangle,
 * and no triangle of (near) zero area relative to the mesh's size. */
gboolean dv_mesh_validate (const DvMesh *mesh, GError **error);

/* An affine map p -> linear * p + offset, row-major 3×4. */
typedef struct {
  float m[3][4];
} DvXform;

DvXform dv_xform_identity (void);
DvXform dv_xform_translate (float x, float y, float z);
DvXform dv_xform_scale (float x, float y, float z);
DvXform dv_xform_rotate_x (float radians);
DvXform dv_xform_rotate_y (float radians);
DvXform dv_xform_rotate_z (float radians);
/* outer ∘ inner: applies `inner` first. */
DvXform dv_xform_mul (const DvXform *outer, const DvXform *inner);
/* translate(centre) * rotate_y(ry) * rotate_x(rx) * rotate_z(rz) * scale(size): the usual way to place a part. */
DvXform dv_xform_place (float cx, float cy, float cz, float sx, float sy, float sz, float rx, float ry, float rz);
void dv_xform_apply_point (const DvXform *xf, const float in[3], float out[3]);
/* Transforms a normal by the inverse transpose and renormalises it. */
void dv_xform_apply_normal (const DvXform *xf, const float in[3], float out[3]);
/* Applies xf to every vertex of the mesh. */
void dv_mesh_transform (DvMesh *mesh, const DvXform *xf);

/* Unit primitives, transformed by xf, in one colour. */
/* Cube [-0.5, 0.5]^3 with flat faces. */
void dv_mesh_add_box (DvMesh *mesh, const DvXform *xf, const guint8 rgb[3]);
/* Truncated cone along y from -0.5 to 0.5, radii as fractions of 0.5
 * (1, 1 is a cylinder; 1, 0 a cone), with caps where the radius is not zero. */
void dv_mesh_add_frustum (DvMesh *mesh, const DvXform *xf, float bottom, float top, int segments,
                          const guint8 rgb[3]);
void dv_mesh_add_cylinder (DvMesh *mesh, const DvXform *xf, int segments, const guint8 rgb[3]);
void dv_mesh_add_cone (DvMesh *mesh, const DvXform *xf, int segments, const guint8 rgb[3]);
/* Sphere of radius 0.5 with smooth normals; scale it into an ellipsoid. */
void dv_mesh_add_ellipsoid (DvMesh *mesh, const DvXform *xf, int rings, int segments, const guint8 rgb[3]);
/* Torus around the y axis with outer radius 0.5 and tube radius tube_ratio * 0.5,
 * swept over `arc` radians from +x towards +z (2π for a full ring). */
void dv_mesh_add_torus (DvMesh *mesh, const DvXform *xf, float tube_ratio, float arc, int segments,
                        int tube_segments, const guint8 rgb[3]);
/* Triangular prism: right triangle (y, z) = (-0.5, -0.5), (-0.5, 0.5), (0.5, -0.5) extruded along x. */
void dv_mesh_add_wedge (DvMesh *mesh, const DvXform *xf, const guint8 rgb[3]);
/* A convex polygon in the xy plane (n_points (x, y) pairs, counter-clockwise)
 * extruded along z from -0.5 to 0.5. Profiles of gun stocks, fins, sails. */
void dv_mesh_add_prism (DvMesh *mesh, const DvXform *xf, int n_points, const float *xy, const guint8 rgb[3]);
/* A cylinder of the given radius from point a to point b (not transformed). */
void dv_mesh_add_tube (DvMesh *mesh, const float a[3], const float b[3], float radius, int segments,
                       const guint8 rgb[3]);
/* A generalised cylinder: n_stations closed rings of ring_size points each
 * ([n_stations][ring_size][3], consecutive rings joined, smooth normals), with
 * flat caps on the first and last ring. Hulls, fuselages and car bodies. */
void dv_mesh_add_loft (DvMesh *mesh, const DvXform *xf, int n_stations, int ring_size, const float *rings,
                       const guint8 rgb[3]);

G_END_DECLS
