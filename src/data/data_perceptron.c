/* -data perceptron: the built-in problem of bregnet invert, which generates its own images and
   network (src/invert/problem.c). As a data source it has no rows (no load operation): the
   inversion reads -data, -data_samples (the number of images) and -seed through BnData like
   every other source and asks BnDataHasRows(); BnDataLoad() refuses it. */
#include "data_impl.h"

static const BnDataOps BnDataOps_Perceptron = {"perceptron", NULL, NULL, NULL, NULL, "the built-in problem of bregnet invert (no training data); use it with `bregnet invert -data perceptron`", NULL, NULL};

PetscErrorCode BnDataCreate_Perceptron(BnData data)
{
  PetscFunctionBegin;
  data->ops = &BnDataOps_Perceptron;
  PetscFunctionReturn(0);
}
