using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Matching;

/// <summary>
/// The HiddenStates term of a run (named after the distance for attention transfer and the relational distances SP, RKD and
/// PKT): one connector per matched pair whose widths differ, trained with the student (its parameters go to the same
/// optimizer), and the mean distance over the pairs. Attention transfer and the relational distances never get a connector. The connector is a bias-free Linear
/// (student width → teacher width) for [N, W] and [N, L, W] states, and a 1x1 convolution followed by BatchNorm (student channels
/// → teacher channels; FitNets' regressor as torchdistill builds it) for feature maps [N, C, H, W]. Feature maps of different
/// heights or widths are average-pooled to the smaller size when the map says so (<see cref="PairPlan.PooledSize"/>).
/// </summary>
public sealed class HiddenStateMatcher : nn.Module
{
    // One entry per pair; pairs without a connector hold an Identity (no parameters), so the parameter names of the pairs that
    // have one are "projections.{pair}.weight" (Linear) or "projections.{pair}.conv.weight" / ".bn.*" (feature maps).
    private readonly ModuleList<nn.Module<Tensor, Tensor>> projections;
    private readonly bool[] hasConnector;
    private readonly ResolvedLayerMap map;
    private readonly HiddenDistance distance;
    private readonly HiddenNormalization normalization;

    /// <summary>Builds the connectors of <paramref name="map"/> (in the current RNG state).</summary>
    public HiddenStateMatcher(ResolvedLayerMap map, HiddenDistance distance, HiddenNormalization normalization) : base(nameof(HiddenStateMatcher))
    {
        ArgumentNullException.ThrowIfNull(map);
        this.map = map;
        this.distance = distance;
        this.normalization = normalization;
        hasConnector = map.Plans.Select(p => p.NeedsConnector).ToArray();
        var list = new List<nn.Module<Tensor, Tensor>>();
        if (hasConnector.Any(c => c))
        {
            foreach (var plan in map.Plans) list.Add(Connector(plan));
        }
        projections = nn.ModuleList(list.ToArray());
        RegisterComponents();
    }

    private static nn.Module<Tensor, Tensor> Connector(PairPlan plan)
    {
        if (!plan.NeedsConnector) return nn.Identity();
        if (!plan.IsFeatureMap) return nn.Linear(plan.StudentWidth, plan.TeacherWidth, hasBias: false);
        return nn.Sequential(
            ("conv", nn.Conv2d(plan.StudentWidth, plan.TeacherWidth, kernel_size: 1, bias: false)),
            ("bn", nn.BatchNorm2d(plan.TeacherWidth)));
    }

    /// <summary>The layer map whose pairs this term compares.</summary>
    public ResolvedLayerMap Map => map;

    /// <summary>Number of connectors (0 when every pair's widths agree or nothing is matched).</summary>
    public int ProjectionCount => hasConnector.Count(c => c);

    /// <summary>The Linear projection of pair <paramref name="pair"/> (for vector and sequence states whose widths differ).</summary>
    public Linear Projection(int pair) => Connector(pair) as Linear
        ?? throw new InvalidOperationException($"Pair {pair} ({map.Pairs[pair]}) has no Linear projection; see Connector({pair}).");

    /// <summary>
    /// The connector of pair <paramref name="pair"/>: a Linear, a Sequential of a 1x1 convolution ("conv") and BatchNorm ("bn"),
    /// or the identity when the pair needs none.
    /// </summary>
    public nn.Module<Tensor, Tensor> Connector(int pair) => projections.Count == 0 ? IdentityConnector : projections[pair];

    private static readonly nn.Module<Tensor, Tensor> IdentityConnector = nn.Identity();

    /// <summary>
    /// Mean over pairs of the distance between the (connected, pooled) student state and the teacher state (the teacher's is
    /// detached); 0 on <paramref name="studentLogits"/>'s device with no pairs. Sequence states are averaged over the real tokens
    /// of the student's token mask (the teacher's when the student gives none; both models see the same inputs, and cached
    /// teacher states carry no mask), see <see cref="HiddenStateDistance.Compute(Tensor, Tensor, HiddenDistance, HiddenNormalization, Tensor?)"/>.
    /// </summary>
    public Tensor Loss(CapturedStates student, CapturedStates teacher, Tensor studentLogits)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        var pairs = map.Pairs;
        if (pairs.Count == 0) return zeros(Array.Empty<long>(), device: studentLogits.device);
        var tokenMask = student.TokenMask ?? teacher.TokenMask;
        Tensor? sum = null;
        for (int i = 0; i < pairs.Count; i++)
        {
            var s = student[pairs[i].StudentState];
            var t = teacher[pairs[i].TeacherState].detach();
            if (hasConnector[i]) s = projections[i].call(s);
            if (map.Plans[i].PooledSize is { } size)
            {
                // Pooling commutes with the 1x1 connector up to its BatchNorm; pooling after it keeps the connector on the
                // student's own resolution, as a FitNets regressor sees it.
                if (s.shape[2] != size[0] || s.shape[3] != size[1]) s = nn.functional.adaptive_avg_pool2d(s, size);
                if (t.shape[2] != size[0] || t.shape[3] != size[1]) t = nn.functional.adaptive_avg_pool2d(t, size);
            }
            var d = HiddenStateDistance.Compute(s, t, distance, normalization, tokenMask);
            sum = sum is null ? d : sum + d;
        }
        return sum! / pairs.Count;
    }
}
