using System;
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Matching;

/// <summary>
/// The HiddenStates term of a run: one bias-free Linear projection (student width → teacher width) per matched pair when the
/// widths differ, trained with the student (its parameters go to the same optimizer), and the mean distance over the pairs.
/// </summary>
public sealed class HiddenStateMatcher : nn.Module
{
    private readonly ModuleList<Linear> projections;
    private readonly ResolvedLayerMap map;
    private readonly HiddenDistance distance;
    private readonly HiddenNormalization normalization;

    /// <summary>Builds the projections of <paramref name="map"/> (in the current RNG state).</summary>
    public HiddenStateMatcher(ResolvedLayerMap map, HiddenDistance distance, HiddenNormalization normalization) : base(nameof(HiddenStateMatcher))
    {
        ArgumentNullException.ThrowIfNull(map);
        this.map = map;
        this.distance = distance;
        this.normalization = normalization;
        var list = new List<Linear>();
        if (map.NeedsProjection)
        {
            foreach (var _ in map.Pairs) list.Add(nn.Linear(map.Student.Width, map.Teacher.Width, hasBias: false));
        }
        projections = nn.ModuleList(list.ToArray());
        RegisterComponents();
    }

    /// <summary>The layer map whose pairs this term compares.</summary>
    public ResolvedLayerMap Map => map;

    /// <summary>Number of projections (0 when the widths agree or nothing is matched).</summary>
    public int ProjectionCount => projections.Count;

    /// <summary>The projection of pair <paramref name="pair"/>.</summary>
    public Linear Projection(int pair) => projections[pair];

    /// <summary>
    /// Mean over pairs of the distance between the (projected) student state and the teacher state (the teacher's is detached);
    /// 0 on <paramref name="studentLogits"/>'s device with no pairs. Sequence states are averaged over the real tokens of the
    /// student's token mask (the teacher's when the student gives none; both models see the same inputs, and cached teacher
    /// states carry no mask), see <see cref="HiddenStateDistance.Compute(Tensor, Tensor, HiddenDistance, HiddenNormalization, Tensor?)"/>.
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
            if (projections.Count > 0) s = projections[i].call(s);
            var d = HiddenStateDistance.Compute(s, teacher[pairs[i].TeacherState].detach(), distance, normalization, tokenMask);
            sum = sum is null ? d : sum + d;
        }
        return sum! / pairs.Count;
    }
}
