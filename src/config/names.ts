// The branded names every layer passes around: a node, a resource group, a heartbeat medium.
// Branded so that a plain string (or one kind of name for another) does not type-check.

/** A cluster node name, always lowercased (Heartbeat lowercases names in config and on the wire). */
export type NodeName = string & { readonly __brand: 'NodeName' };
/** A resource group is addressed by its first resource, exactly as written in haresources. */
export type GroupId = string & { readonly __brand: 'GroupId' };
/** Stable name of one medium: `bcast:eth0`, `ucast:eth0:198.18.0.2`, `mcast:eth0:239.0.0.1:694`, `serial:/dev/ttyS0`. */
export type MediumId = string & { readonly __brand: 'MediumId' };
