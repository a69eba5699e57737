using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using ScottPlot;
using static TorchSharp.torch;

namespace KdDsl.Matching;

/// <summary>
/// The angle analysis of Yu et al. (2025): for a student state S and teacher states T_i, T_k of the same input,
/// <c>cos θ_ik(S) = &lt;T_i - S, T_k - S&gt; / (|T_i - S| |T_k - S|)</c>, over every pair i &lt; k of the chosen teacher layers and
/// every token (row). Mostly positive cosines (acute angles) mean that pulling S toward one teacher layer also pulls it
/// toward the others, which is the paper's explanation of why the layer-selection strategy matters little.
/// </summary>
public static class AngleAnalysis
{
    /// <summary>
    /// The cosines for <paramref name="student"/> [T, W] (or [N, L, W], flattened to tokens, or feature maps [N, C, H, W], whose
    /// pixels are the tokens) and teacher states of the same shape; one value per token and teacher pair i &lt; k, token-major. Tokens where a difference is zero are skipped, and so
    /// are the positions <paramref name="tokenMask"/> (the states' shape without the width, e.g. [N, L]; bool or 0/1) marks as
    /// padding; a mask is ignored for [T, W] states.
    /// </summary>
    public static double[] Cosines(Tensor student, IReadOnlyList<Tensor> teacher, Tensor? tokenMask = null)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        if (teacher.Count < 2) throw new ArgumentException("the analysis needs at least two teacher states", nameof(teacher));
        using var scope = NewDisposeScope();
        // Feature maps [N, C, H, W]: every pixel's C-vector is a token, as the matching distances see it.
        student = HiddenStateDistance.ChannelsLast(student);
        teacher = teacher.Select(HiddenStateDistance.ChannelsLast).ToArray();
        long width = student.shape[^1];
        Tensor? real = null; // row indices of the real tokens
        if (tokenMask is not null && student.dim() > 2)
        {
            var tokenShape = student.shape.AsSpan(0, student.shape.Length - 1);
            if (!tokenShape.SequenceEqual(tokenMask.shape))
                throw new ArgumentException(
                    $"The token mask [{string.Join(", ", tokenMask.shape)}] does not fit states [{string.Join(", ", student.shape)}]: it must be [{string.Join(", ", tokenShape.ToArray())}].",
                    nameof(tokenMask));
            real = tokenMask.detach().to(CPU).to_type(ScalarType.Bool).reshape(-1).nonzero().squeeze(1);
        }
        Tensor Rows(Tensor state)
        {
            var rows = state.detach().to(ScalarType.Float64, CPU).reshape(-1, width);
            return real is null ? rows : rows.index_select(0, real);
        }
        var s = Rows(student);
        var differences = teacher.Select(t =>
        {
            if (!t.shape.SequenceEqual(student.shape))
                throw new ArgumentException($"teacher state [{string.Join(", ", t.shape)}] differs from the student's [{string.Join(", ", student.shape)}]");
            return Rows(t) - s;
        }).ToArray();
        var norms = differences.Select(d => d.norm(1)).ToArray();
        var columns = new List<double[]>();
        for (int i = 0; i < differences.Length; i++)
        {
            for (int k = i + 1; k < differences.Length; k++)
            {
                var dot = (differences[i] * differences[k]).sum(1);
                columns.Add((dot / (norms[i] * norms[k])).data<double>().ToArray());
            }
        }
        long tokens = s.shape[0];
        var values = new List<double>(checked((int)tokens * columns.Count));
        for (int token = 0; token < tokens; token++)
        {
            foreach (var column in columns)
            {
                double value = column[token];
                if (!double.IsNaN(value)) values.Add(value);
            }
        }
        return values.ToArray();
    }

    /// <summary>
    /// Runs both models on <paramref name="inputs"/> (eval mode, no gradients) and returns the cosines of student state
    /// <paramref name="studentState"/> (1 = first block's output; projected by <paramref name="projection"/> when the widths
    /// differ) against every pair of teacher block outputs in <paramref name="teacherStates"/> (default: all blocks). For
    /// sequence models only the real tokens count: the student's <see cref="ILayeredModule.TokenMask"/> of the inputs (the
    /// teacher's when the student gives none). <paramref name="normalization"/> applies the matching loss's normalisation
    /// (<see cref="HiddenStateDistance.Normalize"/>) to every state first, so the angles are those of the states the loss compares.
    /// </summary>
    public static AngleDistribution Measure(string label, ILayeredModule student, ILayeredModule teacher, Tensor inputs, int studentState,
        Func<Tensor, Tensor>? projection = null, IReadOnlyList<int>? teacherStates = null, HiddenNormalization normalization = HiddenNormalization.None)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(inputs);
        if (studentState < 0 || studentState > student.LayerCount)
            throw new ArgumentOutOfRangeException(nameof(studentState), $"the student has states 0..{student.LayerCount}");
        var chosen = teacherStates ?? Enumerable.Range(1, teacher.LayerCount).ToArray();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var studentModule = (nn.Module)student;
        var teacherModule = (nn.Module)teacher;
        bool studentTraining = studentModule.training, teacherTraining = teacherModule.training;
        studentModule.eval();
        teacherModule.eval();
        try
        {
            var (sStates, _) = LayerCapture.AllStates(student, inputs);
            var (tStates, _) = LayerCapture.AllStates(teacher, inputs);
            var s = sStates[studentState];
            if (projection is not null) s = projection(s);
            var tokenMask = student.TokenMask(inputs) ?? teacher.TokenMask(inputs);
            var t = chosen.Select(i => HiddenStateDistance.Normalize(tStates[i], normalization)).ToArray();
            return new AngleDistribution(label, studentState, chosen.ToArray(), Cosines(HiddenStateDistance.Normalize(s, normalization), t, tokenMask));
        }
        finally
        {
            if (studentTraining) studentModule.train();
            if (teacherTraining) teacherModule.train();
        }
    }

    /// <summary>Writes overlaid histograms (fraction of values per bin, cos in [-1, 1]) of several distributions to a PNG.</summary>
    public static void SaveHistogram(IReadOnlyList<AngleDistribution> distributions, string pngPath, string title, int bins = 40, int width = 900, int height = 550)
    {
        ArgumentNullException.ThrowIfNull(distributions);
        ArgumentException.ThrowIfNullOrEmpty(pngPath);
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        double size = 2.0 / bins;
        for (int d = 0; d < distributions.Count; d++)
        {
            var fractions = distributions[d].Histogram(bins);
            var color = palette.GetColor(d);
            var bars = new List<Bar>();
            for (int b = 0; b < bins; b++)
                bars.Add(new Bar { Position = -1 + (b + 0.5) * size, Value = fractions[b], Size = size, FillColor = color.WithAlpha(0.45), LineColor = color, LineWidth = 1 });
            plot.Add.Bars(bars).LegendText = $"{distributions[d].Label} (mean {distributions[d].Mean.ToString("0.000", CultureInfo.InvariantCulture)}, " +
                                                 $"acute {(100 * distributions[d].FractionAcute).ToString("0.0", CultureInfo.InvariantCulture)} %)";
        }
        plot.Add.VerticalLine(0, 1, Colors.Black, LinePattern.Dashed);
        plot.Title(title);
        plot.XLabel("cos θ between two teacher layers, seen from the student state");
        plot.YLabel("fraction of (token, layer pair) values");
        plot.Axes.SetLimitsX(-1, 1);
        plot.ShowLegend(Alignment.UpperLeft);
        string full = Path.GetFullPath(pngPath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        plot.SavePng(full, width, height);
    }
}

/// <summary>One angle distribution: its label, the student state and teacher states measured, and the cosines.</summary>
/// <param name="Label">Name shown in files and plots, e.g. "untrained" or "trained (forward)".</param>
/// <param name="StudentState">The student state (0 = embedding, i = block i-1's output).</param>
/// <param name="TeacherStates">The teacher states whose pairs were measured.</param>
/// <param name="Cosines">One cosine per token and teacher pair.</param>
public sealed record AngleDistribution(string Label, int StudentState, IReadOnlyList<int> TeacherStates, IReadOnlyList<double> Cosines)
{
    /// <summary>Mean cosine.</summary>
    public double Mean => Cosines.Count == 0 ? double.NaN : Cosines.Average();

    /// <summary>Fraction of acute angles (cos &gt; 0).</summary>
    public double FractionAcute => Cosines.Count == 0 ? double.NaN : Cosines.Count(c => c > 0) / (double)Cosines.Count;

    /// <summary>Fraction of the values in each of <paramref name="bins"/> equal bins over [-1, 1] (the last bin includes 1).</summary>
    public double[] Histogram(int bins)
    {
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins));
        var counts = new double[bins];
        foreach (double c in Cosines)
        {
            int bin = (int)Math.Floor((Math.Clamp(c, -1, 1) + 1) / 2 * bins);
            counts[Math.Min(bin, bins - 1)]++;
        }
        if (Cosines.Count > 0) for (int b = 0; b < bins; b++) counts[b] /= Cosines.Count;
        return counts;
    }

    /// <summary>Writes the values as CSV: label, student_state, index, cosine.</summary>
    public void SaveCsv(string path)
    {
        var text = new StringBuilder("label,student_state,index,cosine\n");
        for (int i = 0; i < Cosines.Count; i++)
            text.Append(Label).Append(',').Append(StudentState.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(i.ToString(CultureInfo.InvariantCulture)).Append(',').Append(Cosines[i].ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        Write(path, text.ToString());
    }

    /// <summary>Writes a JSON summary: label, states, count, mean, fraction acute and a 20-bin histogram.</summary>
    public void SaveJson(string path) => Write(path, JsonSerializer.Serialize(new
    {
        label = Label,
        studentState = StudentState,
        teacherStates = TeacherStates,
        count = Cosines.Count,
        mean = Mean,
        fractionAcute = FractionAcute,
        histogram20 = Histogram(20),
    }, new JsonSerializerOptions { WriteIndented = true }));

    private static void Write(string path, string text)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }
}
