using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>
/// The optimizer side of a training loop, shared by the generated distillation loops and supervised training: gradient
/// accumulation with loss scaling, gradient clipping, the optimizer step and the learning-rate schedule.
/// </summary>
public sealed class OptimizationStep : IDisposable
{
    private readonly optim.Optimizer optimizer;
    private readonly optim.lr_scheduler.LRScheduler? scheduler;
    private readonly IReadOnlyList<Parameter> parameters;
    private readonly int accumulation;
    private readonly double clipNorm;
    private int pending;

    private OptimizationStep(optim.Optimizer optimizer, optim.lr_scheduler.LRScheduler? scheduler, IReadOnlyList<Parameter> parameters,
        int accumulation, double clipNorm)
    {
        this.optimizer = optimizer;
        this.scheduler = scheduler;
        this.parameters = parameters;
        this.accumulation = accumulation;
        this.clipNorm = clipNorm;
    }

    /// <summary>Optimizer steps taken so far.</summary>
    public int OptimizerSteps { get; private set; }

    /// <summary>The current learning rate (of the first parameter group).</summary>
    public double LearningRate => optimizer.ParamGroups.First().LearningRate;

    /// <summary>Builds the optimizer and schedule declared in <paramref name="settings"/> for <paramref name="stepsPerEpoch"/> batches per epoch.</summary>
    public static OptimizationStep Create(TrainingSettings settings, IEnumerable<Parameter> parameters, int stepsPerEpoch)
    {
        var list = parameters.ToList();
        var optimizer = Optimizers.Create(settings, list);
        int accumulation = Math.Max(1, settings.AccumulationSteps);
        int updatesPerEpoch = (stepsPerEpoch + accumulation - 1) / accumulation;
        var scheduler = LearningRateSchedules.Create(optimizer, settings, updatesPerEpoch);
        return new OptimizationStep(optimizer, scheduler, list, accumulation, settings.ClipGradientNorm);
    }

    /// <summary>
    /// Back-propagates <paramref name="loss"/> of batch <paramref name="step"/> (1-based) of <paramref name="stepsPerEpoch"/>; every
    /// <c>AccumulationSteps</c> batches (and at the end of the epoch) clips, steps the optimizer and the schedule, and clears the
    /// gradients. The loss is divided by the number of batches in its group, so a group's gradient is the mean over its batches.
    /// </summary>
    public void Apply(Tensor loss, int step, int stepsPerEpoch)
    {
        int groupStart = (step - 1) / accumulation * accumulation;
        int groupSize = Math.Min(accumulation, stepsPerEpoch - groupStart);
        if (groupSize == 1) loss.backward();
        else (loss / groupSize).backward();
        if (++pending < groupSize) return;
        pending = 0;
        // TorchSharp's optimizers create many implicit Scalars per parameter; see NoGcRegion for why no GC may run meanwhile.
        using (NoGcRegion.EnterBlock())
        {
            if (clipNorm > 0) nn.utils.clip_grad_norm_(parameters, clipNorm);
            optimizer.step();
        }
        optimizer.zero_grad();
        scheduler?.step();
        OptimizerSteps++;
    }

    /// <summary>Writes the optimizer's state and the step count (call between optimizer steps, e.g. at the end of an epoch).</summary>
    public void Save(System.IO.BinaryWriter writer)
    {
        writer.Write(OptimizerSteps);
        ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(writer);
    }

    /// <summary>
    /// Restores what <see cref="Save"/> wrote into a freshly created instance: the schedule is replayed step by step (its state
    /// is a function of the step count), then the optimizer's state is loaded.
    /// </summary>
    public void Load(System.IO.BinaryReader reader)
    {
        int steps = reader.ReadInt32();
        for (int i = 0; i < steps; i++) scheduler?.step();
        ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(reader);
        OptimizerSteps = steps;
        pending = 0;
    }

    /// <inheritdoc />
    public void Dispose() => optimizer.Dispose();
}
