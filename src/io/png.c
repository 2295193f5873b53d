/* Grids of grey images as 8-bit PNG files (libpng), written under PATH.tmp and renamed. */
#include <bregnet.h>
#include <petsc/private/petscimpl.h> /* PetscValidCharPointer() */
#include <png.h>
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BN_PNG_BORDER 2

/* libpng's default handlers print to stderr ("libpng error: Write Error"): keep its text for
   our one error message instead, and say nothing of its warnings */
static void PNGError(png_structp png, png_const_charp text)
{
  char *why = (char *)png_get_error_ptr(png);

  snprintf(why, 128, "%s", text ? text : "?");
  png_longjmp(png, 1);
}

static void PNGWarning(png_structp png, png_const_charp text)
{
  (void)png;
  (void)text;
}

/* libpng reports errors by longjmp; everything it touches is allocated before setjmp */
static int WriteRows(FILE *fp, png_uint_32 width, png_uint_32 height, png_bytep *rows, char why[128])
{
  png_structp png  = png_create_write_struct(PNG_LIBPNG_VER_STRING, why, PNGError, PNGWarning);
  png_infop   info = png ? png_create_info_struct(png) : NULL;

  if (!png || !info) {
    png_destroy_write_struct(&png, &info);
    return 1;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return 1;
  }
  png_init_io(png, fp);
  png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  return 0;
}

/*@C
  BnWritePNGGrid - writes count grey h x w images as a grid with cols columns

  Not Collective

  Input Parameters:
+ path   - the PNG file; written as path.tmp, then renamed
. count  - number of images
. cols   - images per grid row
. h, w   - image shape
. images - count x (h*w) values, row-major images
- lo, hi - values mapped to black and white (clipped outside)

.seealso: BnInvertWritePNG()
@*/
PetscErrorCode BnWritePNGGrid(const char path[], PetscInt count, PetscInt cols, PetscInt h, PetscInt w, const PetscReal images[], PetscReal lo, PetscReal hi)
{
  PetscInt   grows, width, height;
  png_bytep  pix, *rows;
  char       tmp[PETSC_MAX_PATH_LEN], why[128] = "";
  FILE      *fp;
  int        bad;

  PetscFunctionBegin;
  PetscValidCharPointer(path, 1);
  PetscCheck(count >= 1 && cols >= 1 && h >= 1 && w >= 1 && hi > lo, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "BnWritePNGGrid: %s: bad sizes (count %" PetscInt_FMT ", cols %" PetscInt_FMT ", %" PetscInt_FMT " x %" PetscInt_FMT ") or range [%g, %g]", path, count, cols, h, w, (double)lo, (double)hi);
  cols   = PetscMin(cols, count);
  grows  = (count + cols - 1) / cols;
  width  = cols * (w + BN_PNG_BORDER) + BN_PNG_BORDER;
  height = grows * (h + BN_PNG_BORDER) + BN_PNG_BORDER;
  PetscCheck(width < 1000000 && height < 1000000, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "BnWritePNGGrid: %s: image of %" PetscInt_FMT " x %" PetscInt_FMT " pixels is too large", path, width, height);
  PetscCall(PetscMalloc2(width * height, &pix, height, &rows));
  for (PetscInt k = 0; k < width * height; k++) pix[k] = 255;
  for (PetscInt k = 0; k < count; k++) {
    PetscInt r0 = BN_PNG_BORDER + (k / cols) * (h + BN_PNG_BORDER), c0 = BN_PNG_BORDER + (k % cols) * (w + BN_PNG_BORDER);
    for (PetscInt r = 0; r < h; r++)
      for (PetscInt c = 0; c < w; c++) {
        PetscReal v = (images[k * h * w + r * w + c] - lo) / (hi - lo);
        v           = PetscIsInfOrNanReal(v) ? 0.0 : PetscMin(1.0, PetscMax(0.0, v));
        pix[(r0 + r) * width + c0 + c] = (png_byte)(255.0 * v + 0.5);
      }
  }
  for (PetscInt r = 0; r < height; r++) rows[r] = pix + r * width;
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.tmp", path));
  fp = fopen(tmp, "wb");
  if (!fp) { /* the output was checked before the run: this is the file system failing */
    int err = errno;
    PetscCall(PetscFree2(pix, rows));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot create '%s': %s", tmp, strerror(err));
  }
  bad = WriteRows(fp, (png_uint_32)width, (png_uint_32)height, rows, why);
  bad = fflush(fp) || bad;
  bad = fsync(fileno(fp)) || bad;
  bad = fclose(fp) || bad;
  PetscCall(PetscFree2(pix, rows));
  if (bad) {
    (void)remove(tmp);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "%s: writing the PNG failed%s%s", tmp, why[0] ? ": libpng: " : "", why);
  }
  if (rename(tmp, path)) {
    int err = errno;
    (void)remove(tmp);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot rename '%s' to '%s': %s", tmp, path, strerror(err));
  }
  PetscFunctionReturn(0);
}
