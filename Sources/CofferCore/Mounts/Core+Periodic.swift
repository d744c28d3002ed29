extension Core {
    /// Whether this node runs backends' periodic work (rotations, rollbacks, tidying). The one place that decides:
    /// every unsealed node is active today; a standby node of a future HA cluster will answer false here.
    var runsPeriodicWork: Bool { !isSealed }

    /// Starts the periodic timers of `routes` (those whose backends declare periodic work), gated by
    /// ``runsPeriodicWork``; a timer ends by itself once this core is gone.
    ///
    /// ```swift
    /// router.replace(routes)
    /// startPeriodicWork(routes)
    /// ```
    func startPeriodicWork(_ routes: [RouteEntry]) {
        for route in routes {
            periodic.start(route) { [weak self] in self?.runsPeriodicWork }
        }
    }
}
