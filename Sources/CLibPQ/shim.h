#ifndef INLET_CLIBPQ_SHIM_H
#define INLET_CLIBPQ_SHIM_H

#include <libpq-fe.h>

// The driver's reactor waits on connection sockets with epoll (Linux). Glibc's Swift overlay does not export
// these declarations, so the system library target provides them.
#ifdef __linux__
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif

#endif
