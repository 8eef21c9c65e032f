/* A row of widgets that wraps (see dv-wrap-box.h). Each child gets its
 * natural width (at most the box's width), rows are as high as their
 * tallest child for that width, and children are centred in their row. */
#include "dv-wrap-box.h"

#define SPACING 6

struct _DvWrapBox {
  GtkWidget parent_instance;
  int n_rows;
};

static void dv_wrap_box_buildable_init (GtkBuildableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DvWrapBox, dv_wrap_box, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_BUILDABLE, dv_wrap_box_buildable_init))

static GtkBuildableIface *parent_buildable_iface;

static int
child_width (GtkWidget *child, int available)
{
  int min, nat;
  gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  return MAX (min, MIN (nat, available));
}

static int
child_height (GtkWidget *child, int width)
{
  int min, nat;
  gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, width, &min, &nat, NULL, NULL);
  return nat;
}

/* Lays the children out in `width`; with allocate, places them too.
 * Returns the height used. */
static int
layout (DvWrapBox *self, int width, gboolean allocate)
{
  GtkWidget *row_start = gtk_widget_get_first_child (GTK_WIDGET (self));
  int y = 0, n_rows = 0;
  while (row_start != NULL) {
    /* The children of this row and their widths. */
    int x = 0, row_h = 0, n_expand = 0;
    GtkWidget *child = row_start, *row_end = NULL;
    for (; child != NULL; child = gtk_widget_get_next_sibling (child)) {
      if (!gtk_widget_should_layout (child))
        continue;
      int w = child_width (child, width);
      if (x > 0 && x + SPACING + w > width)
        break;
      x += (x > 0 ? SPACING : 0) + w;
      n_expand += gtk_widget_compute_expand (child, GTK_ORIENTATION_HORIZONTAL);
      row_end = child;
    }
    if (row_end == NULL) { /* only hidden children left */
      break;
    }
    int spare = MAX (width - x, 0);
    for (child = row_start;; child = gtk_widget_get_next_sibling (child)) {
      if (gtk_widget_should_layout (child)) {
        int w = child_width (child, width);
        if (n_expand > 0 && gtk_widget_compute_expand (child, GTK_ORIENTATION_HORIZONTAL))
          w += spare / n_expand;
        row_h = MAX (row_h, child_height (child, w));
      }
      if (child == row_end)
        break;
    }
    if (allocate) {
      x = 0;
      int given = 0;
      for (child = row_start;; child = gtk_widget_get_next_sibling (child)) {
        if (gtk_widget_should_layout (child)) {
          int w = child_width (child, width);
          if (n_expand > 0 && gtk_widget_compute_expand (child, GTK_ORIENTATION_HORIZONTAL)) {
            int extra = ++given == n_expand ? spare - (n_expand - 1) * (spare / n_expand) : spare / n_expand;
            w += extra;
          }
          int h = gtk_widget_get_valign (child) == GTK_ALIGN_FILL && !GTK_IS_BUTTON (child)
                    && !GTK_IS_MENU_BUTTON (child) && !GTK_IS_LABEL (child)
                    ? row_h
                    : MIN (child_height (child, w), row_h);
          gtk_widget_size_allocate (child, &(GtkAllocation) { x, y + (row_h - h) / 2, w, h }, -1);
          x += w + SPACING;
        }
        if (child == row_end)
          break;
      }
    }
    y += (n_rows > 0 ? SPACING : 0) + row_h;
    n_rows++;
    row_start = gtk_widget_get_next_sibling (row_end);
  }
  if (allocate)
    self->n_rows = n_rows;
  return y;
}

static GtkSizeRequestMode
dv_wrap_box_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
dv_wrap_box_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum, int *natural,
                     int *minimum_baseline, int *natural_baseline)
{
  DvWrapBox *self = DV_WRAP_BOX (widget);
  if (orientation == GTK_ORIENTATION_HORIZONTAL) {
    /* At least the widest child; at best all in one row. */
    int min = 0, nat = 0, n = 0;
    for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child)) {
      if (!gtk_widget_should_layout (child))
        continue;
      int cmin, cnat;
      gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &cmin, &cnat, NULL, NULL);
      min = MAX (min, cmin);
      nat += (n++ > 0 ? SPACING : 0) + cnat;
    }
    *minimum = min;
    *natural = nat;
  } else {
    int width = for_size;
    if (width < 0) {
      int min, nat, min_baseline, nat_baseline;
      dv_wrap_box_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, &min_baseline, &nat_baseline);
      width = nat;
    }
    *minimum = *natural = layout (self, width, FALSE);
  }
  *minimum_baseline = *natural_baseline = -1;
}

static void
dv_wrap_box_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  layout (DV_WRAP_BOX (widget), width, TRUE);
}

static void
dv_wrap_box_dispose (GObject *object)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))))
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (dv_wrap_box_parent_class)->dispose (object);
}

static void
dv_wrap_box_add_child (GtkBuildable *buildable, GtkBuilder *builder, GObject *child, const char *type)
{
  if (GTK_IS_WIDGET (child))
    dv_wrap_box_append (DV_WRAP_BOX (buildable), GTK_WIDGET (child));
  else
    parent_buildable_iface->add_child (buildable, builder, child, type);
}

static void
dv_wrap_box_buildable_init (GtkBuildableIface *iface)
{
  parent_buildable_iface = g_type_interface_peek_parent (iface);
  iface->add_child = dv_wrap_box_add_child;
}

static void
dv_wrap_box_class_init (DvWrapBoxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->dispose = dv_wrap_box_dispose;
  widget_class->get_request_mode = dv_wrap_box_get_request_mode;
  widget_class->measure = dv_wrap_box_measure;
  widget_class->size_allocate = dv_wrap_box_size_allocate;
  gtk_widget_class_set_css_name (widget_class, "dv-wrap-box");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
dv_wrap_box_init (DvWrapBox *self)
{
}

GtkWidget *
dv_wrap_box_new (void)
{
  return g_object_new (DV_TYPE_WRAP_BOX, NULL);
}

void
dv_wrap_box_append (DvWrapBox *self, GtkWidget *child)
{
  g_return_if_fail (DV_IS_WRAP_BOX (self) && GTK_IS_WIDGET (child));
  gtk_widget_insert_before (child, GTK_WIDGET (self), NULL);
}

int
dv_wrap_box_get_n_rows (DvWrapBox *self)
{
  g_return_val_if_fail (DV_IS_WRAP_BOX (self), 0);
  return self->n_rows;
}
