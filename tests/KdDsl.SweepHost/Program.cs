using KdDsl.SweepHost;
using KdDsl.Sweeps;

return SweepCommandLine.Invoke(args, HostSweep.Experiments, HostSweep.Datasets);
