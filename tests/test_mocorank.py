"""MocoRank: multi-margin loss on hand-computed cases, score pool, momentum update."""

import pytest
import torch

from engage.model.mocorank import MocoRank, ScorePool, make_momentum_encoder, momentum_update, multi_margin_loss
from engage.model.network import EngagementNet, ModelConfig

# Batch: b1 (label 3, score 0.6, e=[1,0]), b2 (label 1, score -0.2, e=[0,1]).
# Pool:  p1 (3, 0.5, [1,0]), p2 (0, -0.3, [0,1]), p3 (2, 0.4, [-1,0]).
# c = (cos + 1) / 2; flexible margin M_g = 0.5 g - 0.5 + 0.5 c (tol 0.5); fixed margin 0.5 g - 0.5.
# b1-p1 gap 0: |0.6 - 0.5| = 0.1
# b1-p2 gap 3, y=+1, diff 0.9, c 0.5: flex M 1.25 -> 0.35; fixed M 1.0 -> 0.1
# b1-p3 gap 1, y=+1, diff 0.2, c 0.0: flex M 0 -> 0; fixed 0
# b2-p1 gap 2, y=-1, diff -0.7, c 0.5: flex M 0.75 -> 0.75 - 0.7 = 0.05; fixed M 0.5 -> 0
# b2-p2 gap 1, y=+1, diff 0.1, c 1.0: flex M 0.5 -> 0.4; fixed M 0 -> 0
# b2-p3 gap 1, y=-1, diff -0.6, c 0.5: flex M 0.25 -> 0; fixed 0
SCORES = torch.tensor([0.6, -0.2])
LABELS = torch.tensor([3, 1])
EMB = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
P_SCORES = torch.tensor([0.5, -0.3, 0.4])
P_LABELS = torch.tensor([3, 0, 2])
P_EMB = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])


def loss(**kw):
    return float(multi_margin_loss(SCORES, LABELS, EMB, P_SCORES, P_LABELS, P_EMB, **kw))


def test_per_gap_flexible():
    # gap0 0.1 + gap1 mean(0, 0.4, 0) + gap2 0.05 + gap3 0.35
    assert loss() == pytest.approx(0.1 + 0.4 / 3 + 0.05 + 0.35, abs=1e-6)


def test_per_gap_fixed_margin():
    assert loss(flexible_margin=False) == pytest.approx(0.1 + 0.0 + 0.0 + 0.1, abs=1e-6)


def test_mean_flexible_and_fixed():
    assert loss(reduction="mean") == pytest.approx((0.1 + 0.35 + 0.05 + 0.4) / 6, abs=1e-6)
    assert loss(reduction="mean", flexible_margin=False) == pytest.approx((0.1 + 0.1) / 6, abs=1e-6)


def test_each_gap_alone_and_paper_margins():
    e = torch.tensor([[1.0, 0.0]])
    # score 0, pool score 0, same embedding (c = 1): the loss equals the margin M_g (paper eqs. 9-11)
    for gap, m in [(1, 0.5 * 1.0), (2, 0.5 + 0.5 * 1.0), (3, 1.0 + 0.5 * 1.0)]:
        val = multi_margin_loss(torch.zeros(1), torch.tensor([gap]), e, torch.zeros(1), torch.tensor([0]), e)
        assert float(val) == pytest.approx(m)
        # lower label than the pool entry: the sign flips, same margin
        val = multi_margin_loss(torch.zeros(1), torch.tensor([0]), e, torch.zeros(1), torch.tensor([gap]), e)
        assert float(val) == pytest.approx(m)
    # gap 0: L1 distance
    val = multi_margin_loss(torch.tensor([[0.3]]), torch.tensor([2]), e, torch.tensor([-0.1]), torch.tensor([2]), e)
    assert float(val) == pytest.approx(0.4)


def test_tol_changes_margin():
    e = torch.tensor([[1.0, 0.0]])
    val = multi_margin_loss(torch.zeros(1), torch.tensor([2]), e, torch.zeros(1), torch.tensor([0]), e, tol=0.0)
    assert float(val) == pytest.approx(1.0)  # 0.5 * gap, no cosine term


def test_gradient_pushes_scores_apart_and_cos_has_no_gradient():
    s = torch.tensor([0.0], requires_grad=True)
    e = torch.tensor([[1.0, 0.0]], requires_grad=True)
    multi_margin_loss(s, torch.tensor([3]), e, torch.tensor([0.0]), torch.tensor([0]), torch.tensor([[1.0, 0.0]])).backward()
    assert s.grad.item() < 0  # minimising raises the more engaged item's score
    assert e.grad is None or torch.all(e.grad == 0)


def test_bad_reduction_and_labels():
    with pytest.raises(ValueError):
        loss(reduction="sum")
    with pytest.raises(ValueError):
        multi_margin_loss(SCORES, torch.tensor([4, 1]), EMB, P_SCORES, P_LABELS, P_EMB)


def pairwise_reference(s1, l1, e1, s2, l2, e2, tol, flexible, reduction):
    """The loss written pair by pair, straight from the paper's f and M_g (and loss.py's per-gap means)."""
    per_gap = {g: [] for g in range(4)}
    for i in range(len(s1)):
        for j in range(len(s2)):
            g = abs(int(l1[i]) - int(l2[j]))
            if g == 0:
                v = (s1[i] - s2[j]).abs()
            else:
                c = (torch.dot(e1[i], e2[j]) / (e1[i].norm() * e2[j].norm()) + 1) / 2 if flexible else 0.0
                y = 1.0 if l1[i] > l2[j] else -1.0
                v = torch.clamp(0.5 * g - tol + tol * c - y * (s1[i] - s2[j]), min=0.0)
            per_gap[g].append(v)
    if reduction == "mean":
        return torch.stack([v for vs in per_gap.values() for v in vs]).mean()
    return sum(torch.stack(vs).mean() for vs in per_gap.values() if vs)


@pytest.mark.parametrize("flexible", [True, False])
@pytest.mark.parametrize("reduction", ["per_gap", "mean"])
def test_matches_pairwise_reference_values_and_gradients(flexible, reduction):
    g = torch.Generator().manual_seed(3)
    s1 = (torch.rand(7, generator=g) * 2 - 1).requires_grad_(True)
    l1 = torch.tensor([0, 1, 1, 2, 2, 2, 3])
    e1 = torch.randn(7, 5, generator=g)
    s2, l2, e2 = torch.rand(13, generator=g) * 2 - 1, torch.randint(0, 4, (13,), generator=g), torch.randn(13, 5, generator=g)
    ours = multi_margin_loss(s1, l1, e1, s2, l2, e2, tol=0.4, flexible_margin=flexible, reduction=reduction)
    (grad,) = torch.autograd.grad(ours, s1)
    ref = pairwise_reference(s1, l1, e1, s2, l2, e2, 0.4, flexible, reduction)
    (ref_grad,) = torch.autograd.grad(ref, s1)
    assert float(ours.detach()) == pytest.approx(float(ref.detach()), abs=1e-5)
    assert torch.allclose(grad, ref_grad, atol=1e-5)


def tiny_net(dropout=0.5):
    torch.manual_seed(0)
    return EngagementNet(ModelConfig(face_dim=6, n_chunks=5, i3d_dim=8, hidden=4, mlp_hidden=8, tcn_levels=1,
                                     dropout=dropout))


def tiny_batch(n=6):
    g = torch.Generator().manual_seed(5)
    return {"face": torch.randn(n, 6, 5, generator=g), "i3d": torch.randn(n, 8, generator=g),
            "aud": torch.zeros(n, 7), "text": torch.zeros(n, 0), "has_speech": torch.zeros(n, dtype=torch.bool),
            "labels": torch.tensor([0, 1, 2, 3, 2, 2])[:n]}


def test_mocorank_step_updates_encoder_then_scores_pool_with_it():
    model = tiny_net()
    moco = MocoRank(model, model.embedding_dim, pool_size=8, momentum=0.9, generator=torch.Generator().manual_seed(0))
    old_k = [p.clone() for p in moco.encoder.parameters()]
    with torch.no_grad():  # as if an optimiser step had changed the model
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    pool_before = [t.clone() for t in (moco.pool.scores, moco.pool.labels, moco.pool.embeddings)]
    b = tiny_batch()
    model.train()
    moco.encoder.train()  # even if someone switches it to training mode, its scores must be deterministic
    out, emb = model(b)
    loss = moco.loss(model, b, out, emb, b["labels"])
    for o, k, q in zip(old_k, moco.encoder.parameters(), model.parameters()):
        assert torch.allclose(k, 0.9 * o + 0.1 * q)  # momentum update before scoring, m = 0.9
    assert not moco.encoder.training
    # the loss is against the pool as it was before this batch
    expected = multi_margin_loss(out.detach(), b["labels"], emb.detach(), *pool_before)
    assert float(loss.detach()) == pytest.approx(float(expected), abs=1e-6)
    # the pool's newest entries are the (eval-mode, deterministic) momentum encoder's scores and embeddings
    with torch.no_grad():
        s_k, e_k = moco.encoder(b)
        s_q_eval, _ = model.eval()(b)
    s, lab, e = moco.pool.oldest_first()
    assert torch.allclose(s[-6:], s_k) and torch.allclose(e[-6:], e_k) and lab[-6:].tolist() == b["labels"].tolist()
    assert not torch.allclose(s[-6:], s_q_eval)  # not the model's own scores
    assert torch.equal(s[:2], pool_before[0][6:])  # the 6 oldest initial entries were dropped
    # gradients reach the model only: not the pool, not the encoder
    loss.backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters())
    assert all(p.grad is None for p in moco.encoder.parameters())
    assert not any(t.requires_grad for t in (moco.pool.scores, moco.pool.embeddings))


def test_pool_init_balance_and_shuffle():
    pool = ScorePool(2048, 8, generator=torch.Generator().manual_seed(0))
    assert pool.size == 2048
    assert torch.bincount(pool.labels, minlength=4).tolist() == [512] * 4
    expect = torch.tensor([-0.75, -0.25, 0.25, 0.75])[pool.labels]
    assert torch.equal(pool.scores, expect)
    assert not torch.equal(pool.labels, torch.sort(pool.labels).values)  # shuffled
    assert torch.all(pool.embeddings == 0)


def test_pool_fifo_order_and_size():
    pool = ScorePool(8, 2, generator=torch.Generator().manual_seed(1))
    init_scores, _, _ = pool.oldest_first()
    pool.enqueue(torch.tensor([0.1, 0.2, 0.3]), torch.tensor([0, 1, 2]), torch.ones(3, 2))
    s, lab, emb = pool.oldest_first()
    assert pool.size == 8
    assert torch.allclose(s[:5], init_scores[3:])  # the 3 oldest were dropped
    assert torch.allclose(s[5:], torch.tensor([0.1, 0.2, 0.3]))  # newest last
    assert lab[5:].tolist() == [0, 1, 2]
    pool.enqueue(torch.tensor([0.4, 0.5, 0.6, 0.7]), torch.tensor([3, 3, 3, 3]), torch.zeros(4, 2))  # wraps around
    s, _, _ = pool.oldest_first()
    assert torch.allclose(s, torch.cat([init_scores[7:], torch.tensor([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])]))
    pool.enqueue(torch.arange(10.0), torch.zeros(10, dtype=torch.long), torch.zeros(10, 2))  # bigger than the pool
    s, _, _ = pool.oldest_first()
    assert s.tolist() == [float(x) for x in range(2, 10)]


def test_momentum_update():
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    enc = make_momentum_encoder(model)
    assert all(torch.equal(a, b) for a, b in zip(enc.parameters(), model.parameters()))
    assert not any(p.requires_grad for p in enc.parameters()) and not enc.training
    old = [p.clone() for p in enc.parameters()]
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1.0)
    momentum_update(enc, model, m=0.999)
    for o, k, q in zip(old, enc.parameters(), model.parameters()):
        assert torch.allclose(k, 0.999 * o + 0.001 * q)
