// placeholder for KVSecrets build bootstrap
