# NKI kernels emitted by mamba-translate --nki-to-python (docs/nki-emission.md).
# Neuron SDK's neuronxcc.nki API; runs without a device on scripts/nki-emulate.py.
import neuronxcc.nki as nki
import neuronxcc.nki.language as nl
import neuronxcc.nki.isa as nisa


@nki.jit
def mamba_layer(delta, u, A, B, C):
    """Emitted by mamba-translate --nki-to-python from the nki function @mamba_layer.

    :param delta: (1, 256, 512) float32
    :param u: (1, 256, 512) float32
    :param A: (256, 16) float32
    :param B: (1, 16, 512) float32
    :param C: (1, 16, 512) float32
    :return: out (1, 256, 512) float32
    """
    assert delta.shape == (1, 256, 512), "compiled for delta of shape (1, 256, 512)"
    assert u.shape == (1, 256, 512), "compiled for u of shape (1, 256, 512)"
    assert A.shape == (256, 16), "compiled for A of shape (256, 16)"
    assert B.shape == (1, 16, 512), "compiled for B of shape (1, 16, 512)"
    assert C.shape == (1, 16, 512), "compiled for C of shape (1, 16, 512)"
    out = nl.ndarray((1, 256, 512), dtype=nl.float32, buffer=nl.shared_hbm, name="out")
    ones_row = nl.ones((1, 128), dtype=nl.float32, buffer=nl.sbuf)
    # batch loop of --convert-mamba-to-nki
    for i_batch in nl.affine_range(1):
        scanC_accum = nl.ndarray((128, 2, 512), dtype=nl.float32, buffer=nl.sbuf)
        # accumulator zeroing loop of --convert-mamba-to-nki
        for i_acc_zero in nl.affine_range(2):
            scanC_accum[0:128, i_acc_zero, 0:512] = nisa.memset(shape=(128, 512), value=0.0, dtype=nl.float32)
        # state loop of --convert-mamba-to-nki
        for i_state in nl.affine_range(16):
            # channel-tile loop of --convert-mamba-to-nki
            for i_channel_tile in nl.affine_range(2):
                delta_i = nl.load(delta[i_batch, i_channel_tile * 128:i_channel_tile * 128 + 128, 0:512])
                u_i = nl.load(u[i_batch, i_channel_tile * 128:i_channel_tile * 128 + 128, 0:512])
                A_i = nl.load(A[i_channel_tile * 128:i_channel_tile * 128 + 128, i_state:i_state + 1])
                deltaA = nisa.activation(op=nl.exp, data=delta_i, scale=A_i)
                B_i = nl.load(B[i_batch:i_batch + 1, i_state, 0:512])
                deltaU = nisa.tensor_tensor(delta_i, u_i, op=nl.multiply)
                B_i_bcast = nisa.nc_matmul(ones_row[0:1, 0:128], B_i)
                deltaBu = nisa.tensor_tensor(deltaU, B_i_bcast, op=nl.multiply)
                scan_res = nisa.tensor_tensor_scan(deltaA, deltaBu, initial=0.0, op0=nl.multiply, op1=nl.add)
                C_i = nl.load(C[i_batch:i_batch + 1, i_state, 0:512])
                C_i_bcast = nisa.nc_matmul(ones_row[0:1, 0:128], C_i)
                scanC = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.psum)
                scanC[...] = nisa.tensor_tensor(scan_res, C_i_bcast, op=nl.multiply)
                scanC_accum[0:128, i_channel_tile, 0:512] = nisa.tensor_tensor(scanC_accum[0:128, i_channel_tile, 0:512], scanC, op=nl.add)
        # accumulator store loop of --convert-mamba-to-nki
        for i_acc_store in nl.affine_range(2):
            nl.store(out[i_batch, i_acc_store * 128:i_acc_store * 128 + 128, 0:512], value=scanC_accum[0:128, i_acc_store, 0:512])
    return out
