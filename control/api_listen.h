/* SPDX-License-Identifier: BSD-3-Clause */
/* The API's listening socket, from "[ADDR:]PORT" (lm_api_start()). */
#ifndef LM_API_LISTEN_H
#define LM_API_LISTEN_H

#include <stddef.h>
#include <stdint.h>

/*
 * Bind and listen on addr_port (api.h, lm_api_start) with LM_API_BACKLOG;
 * *port gets the port bound. Returns the socket, or -1 with the reason
 * in err.
 */
int lm_api_listen(const char *addr_port, uint16_t *port, char *err,
		  size_t errlen);

#endif /* LM_API_LISTEN_H */
