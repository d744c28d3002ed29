extension Core {
    /// Whether this node runs backends' periodic work (rotations, rollbacks, tidying). The one place that decides:
    /// a single unsealed node, or the active node of an HA cluster; never a standby.
    var runsPeriodicWork: Bool { isActive }

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
