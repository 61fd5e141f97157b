"""Secret ballots (投票) that no one can link to a voter (R-VOTE-1, Art. 13; design in
BALLOT.md): exponential ElGamal over ristretto255 (libsodium through pysodium), counted
homomorphically by k of n scrutineers (监票人), k = 2.

Threat model
------------
Defended: anyone who can read, during or after the vote, every table and every tuple version
of the database, the WAL, backups, the server's logs, caches and sessions, Django admin and
the audit trail. They learn who voted (the receipts) and the published totals, nothing more:
each ballot is stored only as ElGamal ciphertexts (semantically secure under the ballot's
public key), no single ballot is ever decrypted, and the plaintext choice is written nowhere
(not in a URL, a message, the cache, the session, the audit trail or an exception).
A ballot row holds no voter, no time and no key that orders it; that it shares a transaction
id or a heap position with its receipt tells nothing, since its content is unreadable.

Not defended: someone who changes the running server's code, or reads its memory while a
ballot is being cast (the server encrypts the choice and forgets it at once, but it sees it).
Nor k scrutineers colluding with someone holding the database before the shares are
destroyed at the count: together they hold the ballot's secret key. A scrutineer's key is
only as strong as their password (Argon2id makes guessing it slow, not impossible).

Layout: ``crypto`` (the group, ElGamal, hashing, the small discrete log), ``proofs``
(disjunctive and Chaum-Pedersen proofs), ``shares`` (Shamir shares, sealing, password-wrapped
key pairs), ``services`` (opening, casting, counting, paper totals, verifying: the database).
"""
