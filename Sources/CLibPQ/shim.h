#ifndef INLET_CLIBPQ_SHIM_H
#define INLET_CLIBPQ_SHIM_H

#include <libpq-fe.h>

#endif
