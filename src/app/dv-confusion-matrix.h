#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define DV_TYPE_CONFUSION_MATRIX (dv_confusion_matrix_get_type ())
G_DECLARE_FINAL_TYPE (DvConfusionMatrix, dv_confusion_matrix, DV, CONFUSION_MATRIX, GtkDrawingArea)

/* A confusion matrix drawn with Cairo: true classes in rows, predicted ones
 * in columns, each cell coloured by its share of its row (green on the
 * diagonal, red off it), its count written in it, each row's recall at its
 * end. A cell is selected by a click, or by the arrow keys (they move a
 * focused cell) and Enter or Space; "cell-selected" (truth, predicted) then
 * says which. Its accessible description names the selected cell ("True:
 * Chair, predicted: Sofa — 7 objects"), or the focused one before any is
 * selected. */
GtkWidget *dv_confusion_matrix_new (void);
/* counts[n_classes][n_classes] (NULL: empty), names[n_classes] the translated class names. The selection
 * stays where it was (cleared when empty). */
void dv_confusion_matrix_set (DvConfusionMatrix *self, const guint64 *counts, int n_classes,
                              const char *const *names);
int dv_confusion_matrix_get_n_classes (DvConfusionMatrix *self);
guint64 dv_confusion_matrix_get_count (DvConfusionMatrix *self, int truth, int predicted);
/* Selects a cell (truth -1: none) and emits "cell-selected"; the focused cell follows. */
void dv_confusion_matrix_select (DvConfusionMatrix *self, int truth, int predicted);
/* FALSE when no cell is selected. */
gboolean dv_confusion_matrix_get_selected (DvConfusionMatrix *self, int *truth, int *predicted);
void dv_confusion_matrix_get_cursor (DvConfusionMatrix *self, int *truth, int *predicted);
/* The cell under the point (widget coordinates), FALSE outside the cells. */
gboolean dv_confusion_matrix_cell_at (DvConfusionMatrix *self, double x, double y, int *truth, int *predicted);
/* The centre of a cell in widget coordinates (as the last draw laid it out). */
gboolean dv_confusion_matrix_cell_center (DvConfusionMatrix *self, int truth, int predicted, double *x, double *y);

G_END_DECLS
