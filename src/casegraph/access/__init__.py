"""Access: who is acting, for which purpose (identities and policy grow here)."""
