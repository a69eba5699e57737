using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace KdDsl.Matching;

/// <summary>
/// The hidden states of one forward pass that a layer map reads (the others are not kept), and the model's token mask of its
/// inputs. Reused every step; the tensors belong to the step's dispose scope.
/// </summary>
public sealed class CapturedStates
{
    private readonly bool[] keep;
    private readonly Tensor?[] states;

    /// <summary>A buffer for a model with <paramref name="stateCount"/> states (layers + 1) keeping the listed ones.</summary>
    public CapturedStates(int stateCount, IEnumerable<int> kept)
    {
        keep = new bool[stateCount];
        states = new Tensor?[stateCount];
        foreach (int state in kept) keep[state] = true;
    }

    /// <summary>Whether state <paramref name="state"/> is kept.</summary>
    public bool Keeps(int state) => keep[state];

    /// <summary>State <paramref name="state"/> of the last forward pass.</summary>
    public Tensor this[int state] => states[state] ?? throw new InvalidOperationException($"State {state} was not captured by the last forward pass.");

    /// <summary>
    /// The real tokens of the last forward pass's inputs ([N, L], <see cref="ILayeredModule.TokenMask"/>), or null when the
    /// model gives none, or the states were not captured by a forward pass (cached teacher states carry none: the matcher
    /// reads the student's, whose forward pass runs on the same inputs).
    /// </summary>
    public Tensor? TokenMask { get; private set; }

    internal void Clear()
    {
        Array.Clear(states);
        TokenMask = null;
    }

    internal void SetTokenMask(Tensor? mask) => TokenMask = mask;

    internal void Offer(int state, Tensor value)
    {
        if (state < keep.Length && keep[state]) states[state] = value;
    }
}

/// <summary>Runs a layered model's forward pass block by block, capturing the states a map needs (no hooks).</summary>
public static class LayerCapture
{
    /// <summary>
    /// The logits of <paramref name="input"/>; the states <paramref name="states"/> keeps are captured on the way, with the
    /// model's token mask of the input (<see cref="CapturedStates.TokenMask"/>).
    /// </summary>
    public static Tensor Forward(ILayeredModule model, Tensor input, CapturedStates states)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(states);
        states.Clear();
        states.SetTokenMask(model.TokenMask(input));
        var hidden = model.Embed(input);
        states.Offer(0, hidden);
        for (int i = 0; i < model.LayerCount; i++)
        {
            hidden = model.Layer(i, hidden);
            states.Offer(i + 1, hidden);
        }
        return model.Head(hidden);
    }

    /// <summary>Every state of <paramref name="input"/> (embedding first, then each block's output) and the logits.</summary>
    public static (Tensor[] States, Tensor Logits) AllStates(ILayeredModule model, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(model);
        var states = new Tensor[model.LayerCount + 1];
        var hidden = states[0] = model.Embed(input);
        for (int i = 0; i < model.LayerCount; i++) hidden = states[i + 1] = model.Layer(i, hidden);
        return (states, model.Head(hidden));
    }
}
