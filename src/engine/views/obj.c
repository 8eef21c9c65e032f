#include "views/obj.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Colours given to `usemtl` names (OBJ materials live in .mtl files we do not read). */
static const guint8 material_colours[][3] = {
  { 190, 190, 195 }, { 200, 80, 60 }, { 70, 110, 170 }, { 90, 150, 90 },
  { 210, 170, 80 }, { 140, 100, 160 }, { 120, 90, 60 }, { 60, 60, 65 },
};

typedef struct {
  const char *name;
  int line;
  GArray *positions;  /* floats, 3 per `v` */
  GArray *normals;    /* floats, 3 per `vn` */
  gint64 n_texcoords;
  guint8 colour[3];
  DvMesh *mesh;
} Parser;

typedef struct {
  gint64 v, vt, vn;  /* 0-based; -1 when absent */
} Corner;

static gboolean
fail (Parser *p, GError **error, int code, const char *fmt, ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (Parser *p, GError **error, int code, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, DV_ERROR, code, "%s:%d: %s", p->name, p->line, msg);
  return FALSE;
}

/* Splits [s, end) at whitespace into at most max tokens (NUL-terminating them in place). */
static int
tokenize (char *s, char **tokens, int max)
{
  int n = 0;
  while (*s)
    {
      while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\f' || *s == '\v')
        s++;
      if (!*s)
        break;
      if (n == max)
        return max + 1;  /* too many: the caller decides whether that matters */
      tokens[n++] = s;
      while (*s && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\f' && *s != '\v')
        s++;
      if (*s)
        *s++ = '\0';
    }
  return n;
}

static gboolean
parse_float (Parser *p, const char *token, const char *what, float *out, GError **error)
{
  char *end = NULL;
  errno = 0;
  double v = g_ascii_strtod (token, &end);
  if (end == token || *end != '\0' || errno == ERANGE || !isfinite (v) || fabs (v) > 1e30)
    return fail (p, error, DV_ERROR_FORMAT, "bad number '%s' in %s", token, what);
  *out = (float) v;
  return TRUE;
}

/* Resolves a 1-based (or negative, relative) index against `count` items so far. */
static gboolean
parse_index (Parser *p, const char *token, gint64 count, const char *what, gint64 *out, GError **error)
{
  char *end = NULL;
  errno = 0;
  gint64 v = g_ascii_strtoll (token, &end, 10);
  if (end == token || *end != '\0' || errno == ERANGE)
    return fail (p, error, DV_ERROR_FORMAT, "bad %s index '%s'", what, token);
  gint64 resolved = v > 0 ? v - 1 : count + v;
  if (v == 0 || resolved < 0 || resolved >= count)
    return fail (p, error, DV_ERROR_FORMAT, "%s index %" G_GINT64_FORMAT " out of range (%" G_GINT64_FORMAT
                 " defined so far)", what, v, count);
  *out = resolved;
  return TRUE;
}

static gboolean
parse_corner (Parser *p, char *token, Corner *c, GError **error)
{
  g_autofree char *original = g_strdup (token);  /* for messages: the token is split in place */
  char *parts[3] = { token, NULL, NULL };
  int n = 1;
  for (char *s = token; *s; s++)
    if (*s == '/')
      {
        if (n == 3)
          return fail (p, error, DV_ERROR_FORMAT, "bad face vertex '%s'", original);
        *s = '\0';
        parts[n++] = s + 1;
      }
  c->vt = c->vn = -1;
  if (!parse_index (p, parts[0], (gint64) p->positions->len / 3, "vertex", &c->v, error))
    return FALSE;
  if (n >= 2 && parts[1][0] != '\0' && !parse_index (p, parts[1], p->n_texcoords, "texture coordinate", &c->vt, error))
    return FALSE;
  if (n == 3)
    {
      if (parts[2][0] == '\0')
        return fail (p, error, DV_ERROR_FORMAT, "face vertex ends with '/' but has no normal");
      if (!parse_index (p, parts[2], (gint64) p->normals->len / 3, "normal", &c->vn, error))
        return FALSE;
    }
  return TRUE;
}

static void
normal_of (const float *a, const float *b, const float *c, float n[3])
{
  float u[3] = { b[0] - a[0], b[1] - a[1], b[2] - a[2] }, w[3] = { c[0] - a[0], c[1] - a[1], c[2] - a[2] };
  n[0] = u[1] * w[2] - u[2] * w[1];
  n[1] = u[2] * w[0] - u[0] * w[2];
  n[2] = u[0] * w[1] - u[1] * w[0];
}

static gboolean
add_face (Parser *p, char **tokens, int n, GError **error)
{
  if (n < 3)
    return fail (p, error, DV_ERROR_FORMAT, "face has %d vertices, needs at least 3", n);
  g_autofree Corner *corners = g_new (Corner, n);
  gboolean all_normals = TRUE;
  for (int i = 0; i < n; i++)
    {
      if (!parse_corner (p, tokens[i], &corners[i], error))
        return FALSE;
      all_normals = all_normals && corners[i].vn >= 0;
    }
  if ((gint64) p->mesh->n_triangles + (n - 2) > DV_OBJ_MAX_FACES)
    return fail (p, error, DV_ERROR_TOO_LARGE, "more than %d faces", DV_OBJ_MAX_FACES);
  const float *pos = (const float *) p->positions->data, *nrm = (const float *) p->normals->data;
  for (int i = 1; i + 1 < n; i++)
    {
      const Corner *tri[3] = { &corners[0], &corners[i], &corners[i + 1] };
      float face[3];
      normal_of (pos + 3 * tri[0]->v, pos + 3 * tri[1]->v, pos + 3 * tri[2]->v, face);
      float len = sqrtf (face[0] * face[0] + face[1] * face[1] + face[2] * face[2]);
      if (!(len > 0.0f) || !isfinite (len))
        continue;  /* no area: nothing to draw */
      for (int k = 0; k < 3; k++)
        face[k] /= len;
      guint32 idx[3];
      for (int k = 0; k < 3; k++)
        {
          float normal[3] = { face[0], face[1], face[2] };
          if (all_normals)
            {
              const float *vn = nrm + 3 * tri[k]->vn;
              float l = sqrtf (vn[0] * vn[0] + vn[1] * vn[1] + vn[2] * vn[2]);
              if (l > 0.0f && isfinite (l))
                for (int m = 0; m < 3; m++)
                  normal[m] = vn[m] / l;
            }
          idx[k] = dv_mesh_add_vertex (p->mesh, pos + 3 * tri[k]->v, normal);
        }
      dv_mesh_add_triangle (p->mesh, idx[0], idx[1], idx[2], p->colour);
    }
  return TRUE;
}

#define MAX_TOKENS 4096

static gboolean
parse_line (Parser *p, char *line, char **tokens, GError **error)
{
  char *hash = strchr (line, '#');
  if (hash)
    *hash = '\0';
  int n = tokenize (line, tokens, MAX_TOKENS);
  if (n == 0)
    return TRUE;
  if (n > MAX_TOKENS)
    return fail (p, error, DV_ERROR_TOO_LARGE, "line has more than %d values", MAX_TOKENS);
  const char *kw = tokens[0];
  if (strcmp (kw, "v") == 0)
    {
      /* x y z, optionally w or an r g b colour: only x y z are used. */
      if (n < 4)
        return fail (p, error, DV_ERROR_FORMAT, "vertex needs 3 coordinates, has %d", n - 1);
      if (n > 8)
        return fail (p, error, DV_ERROR_FORMAT, "vertex has %d values, at most 7 allowed", n - 1);
      if (p->positions->len / 3 >= DV_OBJ_MAX_VERTICES)
        return fail (p, error, DV_ERROR_TOO_LARGE, "more than %d vertices", DV_OBJ_MAX_VERTICES);
      float v[3];
      for (int i = 1; i < n; i++)
        {
          float x = 0.0f;
          if (!parse_float (p, tokens[i], "vertex", &x, error))
            return FALSE;
          if (i <= 3)
            v[i - 1] = x;
        }
      g_array_append_vals (p->positions, v, 3);
    }
  else if (strcmp (kw, "vn") == 0)
    {
      if (n != 4)
        return fail (p, error, DV_ERROR_FORMAT, "normal needs 3 coordinates, has %d", n - 1);
      if (p->normals->len / 3 >= DV_OBJ_MAX_VERTICES)
        return fail (p, error, DV_ERROR_TOO_LARGE, "more than %d normals", DV_OBJ_MAX_VERTICES);
      float v[3];
      for (int i = 0; i < 3; i++)
        if (!parse_float (p, tokens[i + 1], "normal", &v[i], error))
          return FALSE;
      g_array_append_vals (p->normals, v, 3);
    }
  else if (strcmp (kw, "vt") == 0)
    {
      if (n < 2 || n > 4)
        return fail (p, error, DV_ERROR_FORMAT, "texture coordinate needs 1 to 3 values, has %d", n - 1);
      for (int i = 1; i < n; i++)
        {
          float x = 0.0f;
          if (!parse_float (p, tokens[i], "texture coordinate", &x, error))
            return FALSE;
        }
      if (++p->n_texcoords > DV_OBJ_MAX_VERTICES)
        return fail (p, error, DV_ERROR_TOO_LARGE, "more than %d texture coordinates", DV_OBJ_MAX_VERTICES);
    }
  else if (strcmp (kw, "f") == 0)
    return add_face (p, tokens + 1, n - 1, error);
  else if (strcmp (kw, "usemtl") == 0 && n >= 2)
    memcpy (p->colour, material_colours[g_str_hash (tokens[1]) % G_N_ELEMENTS (material_colours)], 3);
  /* Everything else (o, g, s, mtllib, l, p, curves, ...) does not change the triangles. */
  return TRUE;
}

/* Counts `v` and `f` statements first, so that an absurd file is refused
 * before anything is allocated for it. */
static gboolean
check_counts (Parser *p, const char *data, gsize length, GError **error)
{
  gint64 vertices = 0, faces = 0;
  gboolean line_start = TRUE;
  p->line = 1;
  for (gsize i = 0; i < length; i++)
    {
      char ch = data[i];
      if (line_start)
        {
          gsize j = i;
          while (j < length && (data[j] == ' ' || data[j] == '\t'))
            j++;
          gboolean blank_after = j + 1 < length && (data[j + 1] == ' ' || data[j + 1] == '\t');
          if (j < length && data[j] == 'v' && blank_after && ++vertices > DV_OBJ_MAX_VERTICES)
            return fail (p, error, DV_ERROR_TOO_LARGE, "more than %d vertices", DV_OBJ_MAX_VERTICES);
          if (j < length && data[j] == 'f' && blank_after && ++faces > DV_OBJ_MAX_FACES)
            return fail (p, error, DV_ERROR_TOO_LARGE, "more than %d faces", DV_OBJ_MAX_FACES);
          line_start = FALSE;
        }
      if (ch == '\n')
        {
          line_start = TRUE;
          p->line++;
        }
    }
  return TRUE;
}

gboolean
dv_obj_parse (const char *data, gsize length, const char *name, DvMesh *mesh, GError **error)
{
  dv_mesh_reset (mesh);
  if (length > DV_OBJ_MAX_BYTES)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_TOO_LARGE,
                   "%s: %" G_GSIZE_FORMAT " bytes is more than the %" G_GSIZE_FORMAT " allowed", name, length,
                   DV_OBJ_MAX_BYTES);
      return FALSE;
    }
  Parser p = { 0 };
  p.name = name;
  /* Flat arrays of floats, three per vertex or normal. */
  p.positions = g_array_new (FALSE, FALSE, sizeof (float));
  p.normals = g_array_new (FALSE, FALSE, sizeof (float));
  p.mesh = mesh;
  memcpy (p.colour, material_colours[0], 3);

  gboolean ok = check_counts (&p, data, length, error);
  p.line = 0;
  char **tokens = g_new (char *, MAX_TOKENS + 1);
  gsize start = 0;
  while (ok && start < length)
    {
      gsize end = start;
      while (end < length && data[end] != '\n')
        end++;
      p.line++;
      char *line = g_strndup (data + start, end - start);
      if (strlen (line) != end - start)
        ok = fail (&p, error, DV_ERROR_FORMAT, "contains a NUL byte: not a text OBJ file");
      else
        ok = parse_line (&p, line, tokens, error);
      g_free (line);
      start = end + 1;
    }
  g_free (tokens);
  if (ok && mesh->n_triangles == 0)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s: no faces with any area (%u vertices)", name,
                   p.positions->len / 3);
      ok = FALSE;
    }
  g_array_unref (p.positions);
  g_array_unref (p.normals);
  if (!ok)
    dv_mesh_reset (mesh);
  return ok;
}

gboolean
dv_obj_load (const char *path, DvMesh *mesh, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE, NULL,
                                                  NULL);
  if (info && (guint64) g_file_info_get_size (info) > DV_OBJ_MAX_BYTES)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_TOO_LARGE,
                   "%s: %" G_GINT64_FORMAT " bytes is more than the %" G_GSIZE_FORMAT " allowed", path,
                   (gint64) g_file_info_get_size (info), DV_OBJ_MAX_BYTES);
      return FALSE;
    }
  g_autofree char *data = NULL;
  gsize length = 0;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &data, &length, &local))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "%s", local->message);
      return FALSE;
    }
  return dv_obj_parse (data, length, path, mesh, error);
}
