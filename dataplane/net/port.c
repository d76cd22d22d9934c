/* SPDX-License-Identifier: BSD-3-Clause */
/* Port set-up: queues, offloads, start. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_flow.h>

#include "net/port.h"

#define LM_RX_DESC 1024
#define LM_TX_DESC 1024

int
lm_port_setup(uint16_t port_id, uint16_t n_queues, struct rte_mempool *pool,
	      struct lm_netif *nif, char *err, size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nrx = LM_RX_DESC, ntx = LM_TX_DESC;
	int socket = rte_eth_dev_socket_id(port_id);
	uint16_t mtu = RTE_ETHER_MTU;
	int rc;

	if (socket < 0)
		socket = 0;
	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc != 0) {
		snprintf(err, errlen, "port %u: cannot get device info: %s",
			 port_id, strerror(-rc));
		return rc;
	}
	if (info.max_rx_queues < n_queues || info.max_tx_queues < n_queues) {
		if (strcmp(info.driver_name, "net_af_xdp") == 0)
			snprintf(err, errlen,
				 "port %u (%s) has %u RX / %u TX queues, %u workers "
				 "need %u of each (--xdp IFACE:%u, and as many "
				 "combined channels on IFACE: docs/xdp.md)", port_id,
				 info.driver_name, info.max_rx_queues,
				 info.max_tx_queues, n_queues, n_queues, n_queues);
		else
			snprintf(err, errlen,
				 "port %u (%s) has %u RX / %u TX queues, %u workers "
				 "need %u of each (for net_af_packet add qpairs=%u "
				 "to the --vdev)", port_id, info.driver_name,
				 info.max_rx_queues, info.max_tx_queues, n_queues,
				 n_queues, n_queues);
		return -EINVAL;
	}
	memset(&conf, 0, sizeof(conf));
	/* use the port's checksum offloads where it has them */
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_CKSUM)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	if ((info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_CHECKSUM) ==
	    RTE_ETH_RX_OFFLOAD_CHECKSUM)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_CHECKSUM;
	rc = rte_eth_dev_configure(port_id, n_queues, n_queues, &conf);
	if (rc != 0) {
		snprintf(err, errlen, "port %u: configure failed: %s", port_id,
			 strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &nrx, &ntx);
	if (rc != 0) {
		snprintf(err, errlen, "port %u: descriptors: %s", port_id,
			 strerror(-rc));
		return rc;
	}
	for (uint16_t q = 0; q < n_queues; q++) {
		rc = rte_eth_rx_queue_setup(port_id, q, nrx, (unsigned)socket,
					    NULL, pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port_id, q, ntx,
						    (unsigned)socket, NULL);
		if (rc != 0) {
			snprintf(err, errlen, "port %u: queue %u set-up: %s",
				 port_id, q, strerror(-rc));
			return rc;
		}
	}
	/* before the start: the link may come up as soon as it starts */
	lm_port_state[port_id] = strcmp(info.driver_name, "net_memif") == 0 ?
		LM_PORT_WAITING : LM_PORT_LIVE;
	rc = rte_eth_dev_start(port_id);
	if (rc != 0) {
		snprintf(err, errlen, "port %u: start failed: %s", port_id,
			 strerror(-rc));
		return rc;
	}
	/*
	 * Frames for our MAC only would do, but some vdevs need this. Not on
	 * net_af_xdp: it shares the interface, and its MAC, with the kernel,
	 * and would leave the interface promiscuous after we are gone.
	 */
	if (strcmp(info.driver_name, "net_af_xdp") != 0)
		rte_eth_promiscuous_enable(port_id);
	rte_eth_macaddr_get(port_id, &nif->mac);
	if (rte_eth_dev_get_mtu(port_id, &mtu) != 0 || mtu < 576 || mtu > 9000)
		mtu = RTE_ETHER_MTU;
	nif->port_id = port_id;
	nif->mtu = mtu;
	nif->tx_ip_csum = conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
	nif->tx_tcp_csum = conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	nif->rx_csum = conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_CHECKSUM;
	return 0;
}

uint8_t lm_port_state[RTE_MAX_ETHPORTS];

bool
lm_port_link_check(uint16_t port_id)
{
	struct rte_eth_link link;
	uint8_t waiting = LM_PORT_WAITING;

	if (rte_eth_link_get_nowait(port_id, &link) != 0 ||
	    link.link_status != RTE_ETH_LINK_UP)
		return false;
	/* never over a farewell that came meanwhile */
	return __atomic_compare_exchange_n(&lm_port_state[port_id], &waiting,
					   LM_PORT_LIVE, false,
					   __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

void
lm_port_farewell(uint16_t port_id, struct rte_mempool *pool)
{
	static const char text[] = "lemmings-dp: this side leaves";
	struct rte_eth_dev_info info;
	struct rte_ether_hdr *eh;
	struct rte_mbuf *m;

	if (rte_eth_dev_info_get(port_id, &info) != 0 ||
	    strcmp(info.driver_name, "net_memif") != 0 ||
	    __atomic_load_n(&lm_port_state[port_id], __ATOMIC_ACQUIRE) !=
	    LM_PORT_LIVE)
		return;
	m = rte_pktmbuf_alloc(pool);
	if (m == NULL)
		return;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, RTE_ETHER_MIN_LEN -
							 RTE_ETHER_CRC_LEN);
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	memset(eh, 0, RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN);
	memset(&eh->dst_addr, 0xff, sizeof(eh->dst_addr));
	rte_eth_macaddr_get(port_id, &eh->src_addr);
	eh->ether_type = RTE_BE16(LM_ETHER_TYPE_BYE);
	memcpy(eh + 1, text, sizeof(text));
	/* the workers have stopped: queue 0 is free to use from here */
	if (rte_eth_tx_burst(port_id, 0, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return;
	}
	rte_delay_ms(LM_BYE_GRACE_MS);
}

void
lm_port_close(uint16_t port_id)
{
	struct rte_flow_error e;

	/* our steering rules (net/steer.c), before the port stops */
	rte_flow_flush(port_id, &e);
	rte_eth_dev_stop(port_id);
	rte_eth_dev_close(port_id);
}
