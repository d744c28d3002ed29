import CofferFramework

extension SystemBackend {
    /// `sys/metrics` (docs/metrics.md): the core's metrics as Vault's JSON or, with `format=prometheus`, the
    /// Prometheus text format. Vault answers it with a raw HTTP body, so the answer is a ``MetricsResponse``
    /// carried as a raw document that the HTTP layer unwraps; behind a listener with
    /// `unauthenticated_metrics_access` the HTTP layer asks ``Core/metricsResponse(format:accept:)`` directly.
    func metricsPaths() -> [PathDefinition] {
        [
            PathDefinition(
                "metrics",
                fields: [
                    "format": FieldSchema(.string, description: "\"prometheus\" for the Prometheus text format")
                ],
                operations: [
                    .read: PathOperation("The server's metrics") { request, fields in
                        let format = try fields.string("format")
                        let response = await core.metricsResponse(format: format, accept: request.headers["accept"])
                        return .raw(response.json, status: response.status)
                    }
                ], synopsis: "Export the server's metrics")
        ]
    }
}
