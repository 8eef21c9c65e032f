#include "dv-playground-page.h"

struct _DvPlaygroundPage
{
  AdwBin parent_instance;
};

G_DEFINE_FINAL_TYPE (DvPlaygroundPage, dv_playground_page, ADW_TYPE_BIN)

static void
dv_playground_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), DV_TYPE_PLAYGROUND_PAGE);
  G_OBJECT_CLASS (dv_playground_page_parent_class)->dispose (object);
}

static void
dv_playground_page_class_init (DvPlaygroundPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = dv_playground_page_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/dimvida/Studio/dv-playground-page.ui");
}

static void
dv_playground_page_init (DvPlaygroundPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
