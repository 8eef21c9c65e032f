#include "views/mesh.h"

#include <math.h>
#include <string.h>

#define MAX_ELEMENTS (1u << 30)

void
dv_mesh_init (DvMesh *mesh)
{
  memset (mesh, 0, sizeof *mesh);
}

void
dv_mesh_clear (DvMesh *mesh)
{
  g_free (mesh->positions);
  g_free (mesh->normals);
  g_free (mesh->indices);
  g_free (mesh->colors);
  dv_mesh_init (mesh);
}

void
dv_mesh_reset (DvMesh *mesh)
{
  mesh->n_vertices = 0;
  mesh->n_triangles = 0;
}

void
dv_mesh_reserve (DvMesh *mesh, guint extra_vertices, guint extra_triangles)
{
  DV_CHECK (extra_vertices < MAX_ELEMENTS - mesh->n_vertices && extra_triangles < MAX_ELEMENTS - mesh->n_triangles,
            "dv_mesh_reserve: mesh too large");
  guint want_v = mesh->n_vertices + extra_vertices;
  if (want_v > mesh->vertex_capacity)
    {
      guint cap = MAX (MAX (64u, want_v), mesh->vertex_capacity * 2);
      mesh->positions = g_renew (float, mesh->positions, (gsize) cap * 3);
      mesh->normals = g_renew (float, mesh->normals, (gsize) cap * 3);
      mesh->vertex_capacity = cap;
    }
  guint want_t = mesh->n_triangles + extra_triangles;
  if (want_t > mesh->triangle_capacity)
    {
      guint cap = MAX (MAX (64u, want_t), mesh->triangle_capacity * 2);
      mesh->indices = g_renew (guint32, mesh->indices, (gsize) cap * 3);
      mesh->colors = g_renew (guint8, mesh->colors, (gsize) cap * 3);
      mesh->triangle_capacity = cap;
    }
}

guint32
dv_mesh_add_vertex (DvMesh *mesh, const float position[3], const float normal[3])
{
  if (mesh->n_vertices == mesh->vertex_capacity)
    dv_mesh_reserve (mesh, 1, 0);
  guint32 v = mesh->n_vertices++;
  memcpy (mesh->positions + 3 * (gsize) v, position, 3 * sizeof (float));
  memcpy (mesh->normals + 3 * (gsize) v, normal, 3 * sizeof (float));
  return v;
}

void
dv_mesh_add_triangle (DvMesh *mesh, guint32 a, guint32 b, guint32 c, const guint8 rgb[3])
{
  DV_CHECK (a < mesh->n_vertices && b < mesh->n_vertices && c < mesh->n_vertices,
            "dv_mesh_add_triangle: index out of range (%u, %u, %u of %u)", a, b, c, mesh->n_vertices);
  if (mesh->n_triangles == mesh->triangle_capacity)
    dv_mesh_reserve (mesh, 0, 1);
  guint32 *t = mesh->indices + 3 * (gsize) mesh->n_triangles;
  t[0] = a;
  t[1] = b;
  t[2] = c;
  memcpy (mesh->colors + 3 * (gsize) mesh->n_triangles, rgb, 3);
  mesh->n_triangles++;
}

void
dv_mesh_append (DvMesh *dst, const DvMesh *src)
{
  dv_mesh_reserve (dst, src->n_vertices, src->n_triangles);
  guint32 base = dst->n_vertices;
  memcpy (dst->positions + 3 * (gsize) base, src->positions, 3 * sizeof (float) * src->n_vertices);
  memcpy (dst->normals + 3 * (gsize) base, src->normals, 3 * sizeof (float) * src->n_vertices);
  dst->n_vertices += src->n_vertices;
  for (guint t = 0; t < src->n_triangles; t++)
    {
      const guint32 *s = src->indices + 3 * (gsize) t;
      dv_mesh_add_triangle (dst, base + s[0], base + s[1], base + s[2], src->colors + 3 * (gsize) t);
    }
}

gboolean
dv_mesh_bounds (const DvMesh *mesh, float lo[3], float hi[3])
{
  if (mesh->n_vertices == 0)
    return FALSE;
  for (int k = 0; k < 3; k++)
    lo[k] = hi[k] = mesh->positions[k];
  for (guint v = 1; v < mesh->n_vertices; v++)
    for (int k = 0; k < 3; k++)
      {
        float x = mesh->positions[3 * (gsize) v + k];
        lo[k] = MIN (lo[k], x);
        hi[k] = MAX (hi[k], x);
      }
  return TRUE;
}

gboolean
dv_mesh_bounding_sphere (const DvMesh *mesh, float centre[3], float *radius)
{
  float lo[3], hi[3];
  if (!dv_mesh_bounds (mesh, lo, hi))
    return FALSE;
  for (int k = 0; k < 3; k++)
    centre[k] = 0.5f * (lo[k] + hi[k]);
  float r2 = 0.0f;
  for (guint v = 0; v < mesh->n_vertices; v++)
    {
      const float *p = mesh->positions + 3 * (gsize) v;
      float dx = p[0] - centre[0], dy = p[1] - centre[1], dz = p[2] - centre[2];
      r2 = MAX (r2, dx * dx + dy * dy + dz * dz);
    }
  *radius = sqrtf (r2);
  return TRUE;
}

void
dv_mesh_normalize_unit_sphere (DvMesh *mesh)
{
  float centre[3], radius;
  if (!dv_mesh_bounding_sphere (mesh, centre, &radius) || !(radius > 0.0f))
    return;
  float s = 1.0f / radius;
  for (guint v = 0; v < mesh->n_vertices; v++)
    for (int k = 0; k < 3; k++)
      mesh->positions[3 * (gsize) v + k] = (mesh->positions[3 * (gsize) v + k] - centre[k]) * s;
}

static void
cross3 (const float a[3], const float b[3], float out[3])
{
  out[0] = a[1] * b[2] - a[2] * b[1];
  out[1] = a[2] * b[0] - a[0] * b[2];
  out[2] = a[0] * b[1] - a[1] * b[0];
}

static float
norm3 (const float a[3])
{
  return sqrtf (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
}

static void
normalize3 (float a[3])
{
  float n = norm3 (a);
  if (n > 0.0f)
    {
      a[0] /= n;
      a[1] /= n;
      a[2] /= n;
    }
  else
    {
      a[0] = 0.0f;
      a[1] = 1.0f;
      a[2] = 0.0f;
    }
}

/* Twice the area's vector of triangle (a, b, c). */
static void
triangle_cross (const float *a, const float *b, const float *c, float out[3])
{
  float u[3] = { b[0] - a[0], b[1] - a[1], b[2] - a[2] };
  float w[3] = { c[0] - a[0], c[1] - a[1], c[2] - a[2] };
  cross3 (u, w, out);
}

gboolean
dv_mesh_validate (const DvMesh *mesh, GError **error)
{
  if (mesh->n_triangles == 0)
    {
      g_set_error_literal (error, DV_ERROR, DV_ERROR_INVALID, "Mesh has no triangles");
      return FALSE;
    }
  for (guint v = 0; v < mesh->n_vertices; v++)
    {
      const float *p = mesh->positions + 3 * (gsize) v, *n = mesh->normals + 3 * (gsize) v;
      for (int k = 0; k < 3; k++)
        if (!isfinite (p[k]) || !isfinite (n[k]))
          {
            g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Vertex %u is not finite", v);
            return FALSE;
          }
      if (fabsf (norm3 (n) - 1.0f) > 1e-3f)
        {
          g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Normal of vertex %u has length %g", v, norm3 (n));
          return FALSE;
        }
    }
  float lo[3], hi[3];
  dv_mesh_bounds (mesh, lo, hi);
  float diag[3] = { hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2] };
  float size = norm3 (diag);
  if (!(size > 0.0f))
    {
      g_set_error_literal (error, DV_ERROR, DV_ERROR_INVALID, "Mesh has zero extent");
      return FALSE;
    }
  for (guint t = 0; t < mesh->n_triangles; t++)
    {
      const guint32 *i = mesh->indices + 3 * (gsize) t;
      if (i[0] >= mesh->n_vertices || i[1] >= mesh->n_vertices || i[2] >= mesh->n_vertices)
        {
          g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Triangle %u has an index out of range", t);
          return FALSE;
        }
      float c[3];
      triangle_cross (mesh->positions + 3 * (gsize) i[0], mesh->positions + 3 * (gsize) i[1],
                      mesh->positions + 3 * (gsize) i[2], c);
      if (norm3 (c) < 1e-9f * size * size)
        {
          g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Triangle %u is degenerate", t);
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- transforms ---- */

DvXform
dv_xform_identity (void)
{
  DvXform x = { { { 1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 1, 0 } } };
  return x;
}

DvXform
dv_xform_translate (float x, float y, float z)
{
  DvXform t = dv_xform_identity ();
  t.m[0][3] = x;
  t.m[1][3] = y;
  t.m[2][3] = z;
  return t;
}

DvXform
dv_xform_scale (float x, float y, float z)
{
  DvXform t = dv_xform_identity ();
  t.m[0][0] = x;
  t.m[1][1] = y;
  t.m[2][2] = z;
  return t;
}

DvXform
dv_xform_rotate_x (float a)
{
  DvXform t = dv_xform_identity ();
  float c = cosf (a), s = sinf (a);
  t.m[1][1] = c;
  t.m[1][2] = -s;
  t.m[2][1] = s;
  t.m[2][2] = c;
  return t;
}

DvXform
dv_xform_rotate_y (float a)
{
  DvXform t = dv_xform_identity ();
  float c = cosf (a), s = sinf (a);
  t.m[0][0] = c;
  t.m[0][2] = s;
  t.m[2][0] = -s;
  t.m[2][2] = c;
  return t;
}

DvXform
dv_xform_rotate_z (float a)
{
  DvXform t = dv_xform_identity ();
  float c = cosf (a), s = sinf (a);
  t.m[0][0] = c;
  t.m[0][1] = -s;
  t.m[1][0] = s;
  t.m[1][1] = c;
  return t;
}

DvXform
dv_xform_mul (const DvXform *outer, const DvXform *inner)
{
  DvXform r;
  for (int i = 0; i < 3; i++)
    {
      for (int j = 0; j < 4; j++)
        {
          float acc = 0.0f;
          for (int k = 0; k < 3; k++)
            acc += outer->m[i][k] * inner->m[k][j];
          r.m[i][j] = acc;
        }
      r.m[i][3] += outer->m[i][3];
    }
  return r;
}

DvXform
dv_xform_place (float cx, float cy, float cz, float sx, float sy, float sz, float rx, float ry, float rz)
{
  DvXform x = dv_xform_scale (sx, sy, sz);
  if (rz != 0.0f)
    {
      DvXform r = dv_xform_rotate_z (rz);
      x = dv_xform_mul (&r, &x);
    }
  if (rx != 0.0f)
    {
      DvXform r = dv_xform_rotate_x (rx);
      x = dv_xform_mul (&r, &x);
    }
  if (ry != 0.0f)
    {
      DvXform r = dv_xform_rotate_y (ry);
      x = dv_xform_mul (&r, &x);
    }
  x.m[0][3] = cx;
  x.m[1][3] = cy;
  x.m[2][3] = cz;
  return x;
}

void
dv_xform_apply_point (const DvXform *xf, const float in[3], float out[3])
{
  float r[3];
  for (int i = 0; i < 3; i++)
    r[i] = xf->m[i][0] * in[0] + xf->m[i][1] * in[1] + xf->m[i][2] * in[2] + xf->m[i][3];
  memcpy (out, r, sizeof r);
}

void
dv_xform_apply_normal (const DvXform *xf, const float in[3], float out[3])
{
  /* The cofactor matrix is det * inverse-transpose: no division, and it still
   * works for flattened parts; the sign of det keeps normals pointing outward. */
  const float (*a)[4] = xf->m;
  float c[3][3] = {
    { a[1][1] * a[2][2] - a[1][2] * a[2][1], a[1][2] * a[2][0] - a[1][0] * a[2][2],
      a[1][0] * a[2][1] - a[1][1] * a[2][0] },
    { a[0][2] * a[2][1] - a[0][1] * a[2][2], a[0][0] * a[2][2] - a[0][2] * a[2][0],
      a[0][1] * a[2][0] - a[0][0] * a[2][1] },
    { a[0][1] * a[1][2] - a[0][2] * a[1][1], a[0][2] * a[1][0] - a[0][0] * a[1][2],
      a[0][0] * a[1][1] - a[0][1] * a[1][0] },
  };
  float det = a[0][0] * c[0][0] + a[0][1] * c[0][1] + a[0][2] * c[0][2];
  float sign = det < 0.0f ? -1.0f : 1.0f;
  float r[3];
  for (int i = 0; i < 3; i++)
    r[i] = sign * (c[i][0] * in[0] + c[i][1] * in[1] + c[i][2] * in[2]);
  normalize3 (r);
  memcpy (out, r, sizeof r);
}

void
dv_mesh_transform (DvMesh *mesh, const DvXform *xf)
{
  for (guint v = 0; v < mesh->n_vertices; v++)
    {
      dv_xform_apply_point (xf, mesh->positions + 3 * (gsize) v, mesh->positions + 3 * (gsize) v);
      dv_xform_apply_normal (xf, mesh->normals + 3 * (gsize) v, mesh->normals + 3 * (gsize) v);
    }
}

/* ---- primitives ---- */

static guint32
add_vertex_xf (DvMesh *mesh, const DvXform *xf, float px, float py, float pz, float nx, float ny, float nz)
{
  float p[3] = { px, py, pz }, n[3] = { nx, ny, nz };
  dv_xform_apply_point (xf, p, p);
  dv_xform_apply_normal (xf, n, n);
  return dv_mesh_add_vertex (mesh, p, n);
}

static float
distance2 (const float *p, const float *q)
{
  float d[3] = { p[0] - q[0], p[1] - q[1], p[2] - q[2] };
  return d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
}

/* Adds the triangle unless it has (almost) no area for its size: poles of
 * spheres, pointed lofts and cone tips collapse some quads to slivers. */
static void
add_proper_triangle (DvMesh *mesh, guint32 a, guint32 b, guint32 c, const guint8 rgb[3])
{
  const float *pa = mesh->positions + 3 * (gsize) a, *pb = mesh->positions + 3 * (gsize) b;
  const float *pc = mesh->positions + 3 * (gsize) c;
  float cr[3];
  triangle_cross (pa, pb, pc, cr);
  float longest = MAX (distance2 (pa, pb), MAX (distance2 (pb, pc), distance2 (pc, pa)));
  if (norm3 (cr) > 1e-5f * longest && longest > 0.0f)
    dv_mesh_add_triangle (mesh, a, b, c, rgb);
}

static void
add_quad (DvMesh *mesh, guint32 a, guint32 b, guint32 c, guint32 d, const guint8 rgb[3])
{
  add_proper_triangle (mesh, a, b, c, rgb);
  add_proper_triangle (mesh, a, c, d, rgb);
}

void
dv_mesh_add_box (DvMesh *mesh, const DvXform *xf, const guint8 rgb[3])
{
  /* For each face: its normal axis and sign; corners walk counter-clockwise seen from outside. */
  static const float normals[6][3] = { { 1, 0, 0 }, { -1, 0, 0 }, { 0, 1, 0 }, { 0, -1, 0 }, { 0, 0, 1 }, { 0, 0,
    -1 } };
  dv_mesh_reserve (mesh, 24, 12);
  for (int f = 0; f < 6; f++)
    {
      const float *n = normals[f];
      /* Two tangents u, w with u × w = n. */
      float u[3] = { 0, 0, 0 }, w[3];
      if (n[0] != 0)
        u[1] = 1.0f;
      else if (n[1] != 0)
        u[2] = 1.0f;
      else
        u[0] = 1.0f;
      cross3 (n, u, w);
      float cu[4] = { -0.5f, 0.5f, 0.5f, -0.5f }, cw[4] = { -0.5f, -0.5f, 0.5f, 0.5f };
      guint32 idx[4];
      for (int k = 0; k < 4; k++)
        idx[k] = add_vertex_xf (mesh, xf, 0.5f * n[0] + cu[k] * u[0] + cw[k] * w[0],
                                0.5f * n[1] + cu[k] * u[1] + cw[k] * w[1], 0.5f * n[2] + cu[k] * u[2] + cw[k] * w[2],
                                n[0], n[1], n[2]);
      add_quad (mesh, idx[0], idx[1], idx[2], idx[3], rgb);
    }
}

static void
add_disc_cap (DvMesh *mesh, const DvXform *xf, float y, float radius, int segments, float ny, const guint8 rgb[3])
{
  guint32 centre = add_vertex_xf (mesh, xf, 0, y, 0, 0, ny, 0);
  guint32 first = mesh->n_vertices;
  for (int i = 0; i < segments; i++)
    {
      float t = 2.0f * (float) G_PI * i / segments;
      add_vertex_xf (mesh, xf, radius * cosf (t), y, radius * sinf (t), 0, ny, 0);
    }
  for (int i = 0; i < segments; i++)
    {
      guint32 a = first + i, b = first + (i + 1) % segments;
      if (ny > 0)
        add_proper_triangle (mesh, centre, b, a, rgb);
      else
        add_proper_triangle (mesh, centre, a, b, rgb);
    }
}

void
dv_mesh_add_frustum (DvMesh *mesh, const DvXform *xf, float bottom, float top, int segments, const guint8 rgb[3])
{
  DV_CHECK (segments >= 3 && bottom >= 0.0f && top >= 0.0f && bottom + top > 0.0f,
            "dv_mesh_add_frustum: bad arguments");
  float rb = 0.5f * bottom, rt = 0.5f * top;
  dv_mesh_reserve (mesh, 4 * segments + 2, 4 * segments);
  guint32 first = mesh->n_vertices;
  for (int i = 0; i < segments; i++)
    {
      float t = 2.0f * (float) G_PI * i / segments, c = cosf (t), s = sinf (t);
      add_vertex_xf (mesh, xf, rb * c, -0.5f, rb * s, c, rb - rt, s);
      add_vertex_xf (mesh, xf, rt * c, 0.5f, rt * s, c, rb - rt, s);
    }
  for (int i = 0; i < segments; i++)
    {
      int j = (i + 1) % segments;
      guint32 b0 = first + 2 * i, t0 = b0 + 1, b1 = first + 2 * j, t1 = b1 + 1;
      if (rt == 0.0f)
        add_proper_triangle (mesh, b0, t0, b1, rgb);
      else if (rb == 0.0f)
        add_proper_triangle (mesh, b0, t0, t1, rgb);
      else
        add_quad (mesh, b0, t0, t1, b1, rgb);
    }
  if (rb > 0.0f)
    add_disc_cap (mesh, xf, -0.5f, rb, segments, -1.0f, rgb);
  if (rt > 0.0f)
    add_disc_cap (mesh, xf, 0.5f, rt, segments, 1.0f, rgb);
}

void
dv_mesh_add_cylinder (DvMesh *mesh, const DvXform *xf, int segments, const guint8 rgb[3])
{
  dv_mesh_add_frustum (mesh, xf, 1.0f, 1.0f, segments, rgb);
}

void
dv_mesh_add_cone (DvMesh *mesh, const DvXform *xf, int segments, const guint8 rgb[3])
{
  dv_mesh_add_frustum (mesh, xf, 1.0f, 0.0f, segments, rgb);
}

void
dv_mesh_add_ellipsoid (DvMesh *mesh, const DvXform *xf, int rings, int segments, const guint8 rgb[3])
{
  DV_CHECK (rings >= 2 && segments >= 3, "dv_mesh_add_ellipsoid: bad arguments");
  dv_mesh_reserve (mesh, (rings + 1) * (segments + 1), 2 * rings * segments);
  guint32 first = mesh->n_vertices;
  for (int r = 0; r <= rings; r++)
    {
      float phi = (float) G_PI * r / rings, y = -cosf (phi), rr = sinf (phi);
      if (r == 0 || r == rings)  /* exact poles, so their quads collapse to clean triangles */
        y = r == 0 ? -1.0f : 1.0f, rr = 0.0f;
      for (int s = 0; s <= segments; s++)
        {
          float t = 2.0f * (float) G_PI * s / segments;
          float n[3] = { rr * cosf (t), y, rr * sinf (t) };
          add_vertex_xf (mesh, xf, 0.5f * n[0], 0.5f * n[1], 0.5f * n[2], n[0], n[1], n[2]);
        }
    }
  for (int r = 0; r < rings; r++)
    for (int s = 0; s < segments; s++)
      {
        guint32 a = first + r * (segments + 1) + s, b = a + 1, c = a + segments + 1, d = c + 1;
        add_quad (mesh, a, c, d, b, rgb);
      }
}

void
dv_mesh_add_torus (DvMesh *mesh, const DvXform *xf, float tube_ratio, float arc, int segments, int tube_segments,
                   const guint8 rgb[3])
{
  DV_CHECK (tube_ratio > 0.0f && tube_ratio < 1.0f && arc > 0.0f && segments >= 2 && tube_segments >= 3,
            "dv_mesh_add_torus: bad arguments");
  float r = 0.5f * tube_ratio, big = 0.5f - r;
  dv_mesh_reserve (mesh, (segments + 1) * (tube_segments + 1), 2 * segments * tube_segments);
  guint32 first = mesh->n_vertices;
  for (int i = 0; i <= segments; i++)
    {
      float phi = arc * i / segments, cp = cosf (phi), sp = sinf (phi);
      for (int j = 0; j <= tube_segments; j++)
        {
          float psi = 2.0f * (float) G_PI * j / tube_segments, cs = cosf (psi), ss = sinf (psi);
          float n[3] = { cs * cp, ss, cs * sp };
          add_vertex_xf (mesh, xf, big * cp + r * n[0], r * n[1], big * sp + r * n[2], n[0], n[1], n[2]);
        }
    }
  for (int i = 0; i < segments; i++)
    for (int j = 0; j < tube_segments; j++)
      {
        guint32 a = first + i * (tube_segments + 1) + j, b = a + 1, c = a + tube_segments + 1, d = c + 1;
        add_quad (mesh, a, b, d, c, rgb);
      }
}

void
dv_mesh_add_wedge (DvMesh *mesh, const DvXform *xf, const guint8 rgb[3])
{
  /* (y, z) of the triangle's corners A, B, C. */
  static const float tri[3][2] = { { -0.5f, -0.5f }, { -0.5f, 0.5f }, { 0.5f, -0.5f } };
  dv_mesh_reserve (mesh, 18, 8);
  for (int side = 0; side < 2; side++)
    {
      float x = side ? 0.5f : -0.5f, nx = side ? 1.0f : -1.0f;
      guint32 i0 = add_vertex_xf (mesh, xf, x, tri[0][0], tri[0][1], nx, 0, 0);
      guint32 i1 = add_vertex_xf (mesh, xf, x, tri[1][0], tri[1][1], nx, 0, 0);
      guint32 i2 = add_vertex_xf (mesh, xf, x, tri[2][0], tri[2][1], nx, 0, 0);
      add_proper_triangle (mesh, i0, side ? i2 : i1, side ? i1 : i2, rgb);
    }
  /* Rectangular faces: edge of the triangle from corner e to e+1, with its outward normal. */
  static const float face_normals[3][2] = { { -1.0f, 0.0f }, { 0.70710678f, 0.70710678f }, { 0.0f, -1.0f } };
  for (int e = 0; e < 3; e++)
    {
      const float *p = tri[e], *q = tri[(e + 1) % 3];
      float ny = face_normals[e][0], nz = face_normals[e][1];
      guint32 a = add_vertex_xf (mesh, xf, -0.5f, p[0], p[1], 0, ny, nz);
      guint32 b = add_vertex_xf (mesh, xf, 0.5f, p[0], p[1], 0, ny, nz);
      guint32 c = add_vertex_xf (mesh, xf, 0.5f, q[0], q[1], 0, ny, nz);
      guint32 d = add_vertex_xf (mesh, xf, -0.5f, q[0], q[1], 0, ny, nz);
      add_quad (mesh, a, b, c, d, rgb);
    }
}

void
dv_mesh_add_prism (DvMesh *mesh, const DvXform *xf, int n_points, const float *xy, const guint8 rgb[3])
{
  DV_CHECK (n_points >= 3, "dv_mesh_add_prism: needs at least 3 points");
  dv_mesh_reserve (mesh, 6 * n_points, 4 * n_points);
  for (int side = 0; side < 2; side++)
    {
      float z = side ? 0.5f : -0.5f, nz = side ? 1.0f : -1.0f;
      guint32 first = mesh->n_vertices;
      for (int i = 0; i < n_points; i++)
        add_vertex_xf (mesh, xf, xy[2 * i], xy[2 * i + 1], z, 0, 0, nz);
      for (int i = 1; i + 1 < n_points; i++)
        if (side)
          add_proper_triangle (mesh, first, first + i, first + i + 1, rgb);
        else
          add_proper_triangle (mesh, first, first + i + 1, first + i, rgb);
    }
  for (int i = 0; i < n_points; i++)
    {
      const float *p = xy + 2 * i, *q = xy + 2 * ((i + 1) % n_points);
      float n[3] = { q[1] - p[1], p[0] - q[0], 0.0f };
      normalize3 (n);
      guint32 a = add_vertex_xf (mesh, xf, p[0], p[1], -0.5f, n[0], n[1], 0);
      guint32 b = add_vertex_xf (mesh, xf, q[0], q[1], -0.5f, n[0], n[1], 0);
      guint32 c = add_vertex_xf (mesh, xf, q[0], q[1], 0.5f, n[0], n[1], 0);
      guint32 d = add_vertex_xf (mesh, xf, p[0], p[1], 0.5f, n[0], n[1], 0);
      add_quad (mesh, a, b, c, d, rgb);
    }
}

void
dv_mesh_add_tube (DvMesh *mesh, const float a[3], const float b[3], float radius, int segments, const guint8 rgb[3])
{
  float y[3] = { b[0] - a[0], b[1] - a[1], b[2] - a[2] };
  float len = norm3 (y);
  DV_CHECK (len > 0.0f && radius > 0.0f, "dv_mesh_add_tube: zero length or radius");
  normalize3 (y);
  /* Any unit x perpendicular to the axis; z = x × y keeps the frame right-handed. */
  float helper[3] = { 1, 0, 0 };
  if (fabsf (y[0]) > 0.9f)
    helper[0] = 0, helper[2] = 1;
  float x[3], z[3];
  cross3 (y, helper, x);
  normalize3 (x);
  cross3 (x, y, z);
  DvXform xf;
  for (int i = 0; i < 3; i++)
    {
      xf.m[i][0] = x[i] * 2.0f * radius;
      xf.m[i][1] = y[i] * len;
      xf.m[i][2] = z[i] * 2.0f * radius;
      xf.m[i][3] = 0.5f * (a[i] + b[i]);
    }
  dv_mesh_add_cylinder (mesh, &xf, segments, rgb);
}

static void
add_loft_cap (DvMesh *mesh, int ring_size, const float *ring, float sign, const guint8 rgb[3])
{
  /* Newell's method gives the ring's plane normal even for slightly bent rings. */
  float n[3] = { 0, 0, 0 }, c[3] = { 0, 0, 0 };
  for (int i = 0; i < ring_size; i++)
    {
      const float *p = ring + 3 * i, *q = ring + 3 * ((i + 1) % ring_size);
      n[0] += (p[1] - q[1]) * (p[2] + q[2]);
      n[1] += (p[2] - q[2]) * (p[0] + q[0]);
      n[2] += (p[0] - q[0]) * (p[1] + q[1]);
      for (int k = 0; k < 3; k++)
        c[k] += p[k] / ring_size;
    }
  if (norm3 (n) < 1e-12f)
    return;  /* the ring closes to a point or a line: nothing to cap */
  normalize3 (n);
  for (int k = 0; k < 3; k++)
    n[k] *= sign;
  guint32 centre = dv_mesh_add_vertex (mesh, c, n);
  guint32 first = mesh->n_vertices;
  for (int i = 0; i < ring_size; i++)
    dv_mesh_add_vertex (mesh, ring + 3 * i, n);
  for (int i = 0; i < ring_size; i++)
    add_proper_triangle (mesh, centre, first + i, first + (i + 1) % ring_size, rgb);
}

void
dv_mesh_add_loft (DvMesh *mesh, const DvXform *xf, int n_stations, int ring_size, const float *rings,
                  const guint8 rgb[3])
{
  DV_CHECK (n_stations >= 2 && ring_size >= 3, "dv_mesh_add_loft: needs 2 rings of 3 points");
  gsize n = (gsize) n_stations * ring_size;
  float *p = g_new (float, 3 * n);
  float *nrm = g_new0 (float, 3 * n);
  for (gsize i = 0; i < n; i++)
    dv_xform_apply_point (xf, rings + 3 * i, p + 3 * i);
  /* Smooth normals: each grid point sums the (area-weighted) normals of its four quads. */
  for (int s = 0; s + 1 < n_stations; s++)
    for (int i = 0; i < ring_size; i++)
      {
        int j = (i + 1) % ring_size;
        gsize a = (gsize) s * ring_size + i, b = (gsize) s * ring_size + j, c = a + ring_size, d = b + ring_size;
        float c1[3], c2[3];
        triangle_cross (p + 3 * a, p + 3 * b, p + 3 * d, c1);
        triangle_cross (p + 3 * a, p + 3 * d, p + 3 * c, c2);
        gsize corners[4] = { a, b, c, d };
        for (int k = 0; k < 4; k++)
          for (int m = 0; m < 3; m++)
            nrm[3 * corners[k] + m] += c1[m] + c2[m];
      }
  for (gsize i = 0; i < n; i++)
    normalize3 (nrm + 3 * i);
  dv_mesh_reserve (mesh, (guint) n + 2 * (ring_size + 1), 2 * (guint) n + 2 * ring_size);
  guint32 first = mesh->n_vertices;
  for (gsize i = 0; i < n; i++)
    dv_mesh_add_vertex (mesh, p + 3 * i, nrm + 3 * i);
  for (int s = 0; s + 1 < n_stations; s++)
    for (int i = 0; i < ring_size; i++)
      {
        int j = (i + 1) % ring_size;
        guint32 a = first + s * ring_size + i, b = first + s * ring_size + j;
        add_quad (mesh, a, b, b + ring_size, a + ring_size, rgb);
      }
  add_loft_cap (mesh, ring_size, p, -1.0f, rgb);
  add_loft_cap (mesh, ring_size, p + 3 * (gsize) (n_stations - 1) * ring_size, 1.0f, rgb);
  g_free (p);
  g_free (nrm);
}
