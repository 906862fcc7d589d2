// "New item" for an account: the createItem body of the sandbox document (title; optional
// price, status, and what getItemsInfo shows: address and category).
import { useState } from "preact/hooks";
import { call } from "../api.ts";
import { useAction } from "../use-action.ts";
import { Dialog } from "./dialog.tsx";
import { ErrorNote, Field, fieldProblem } from "./form-field.tsx";

export function AccountItemDialog({
  account,
  open,
  onClose,
  onCreated,
}: {
  account: { user_id: number; name: string };
  open: boolean;
  onClose: () => void;
  onCreated: () => void;
}) {
  const [title, setTitle] = useState("");
  const [price, setPrice] = useState("");
  const [status, setStatus] = useState<10 | 20>(10);
  const [address, setAddress] = useState("");
  const [categoryId, setCategoryId] = useState("");
  const [categoryName, setCategoryName] = useState("");
  const create = useAction(async () => {
    const category =
      categoryId.trim() !== "" || categoryName.trim() !== ""
        ? { id: Number(categoryId), name: categoryName.trim() }
        : undefined;
    await call("post", "/sandbox/v1/accounts/{user_id}/items", {
      path: { user_id: account.user_id },
      body: {
        title: title.trim(),
        status_id: status,
        ...(price.trim() ? { price_string: price.trim() } : {}),
        ...(address.trim() ? { address: address.trim() } : {}),
        ...(category ? { category } : {}),
      },
    });
    onCreated();
    onClose();
  });
  const close = () => {
    setTitle("");
    setPrice("");
    setStatus(10);
    setAddress("");
    setCategoryId("");
    setCategoryName("");
    create.clearError();
    onClose();
  };
  const formId = `item-form-${account.user_id}`;
  const problem = (field: string) => fieldProblem(create.error, field);

  return (
    <Dialog
      open={open}
      title={`New item of ${account.name}`}
      onClose={close}
      dismissable={!create.busy}
      footer={
        <>
          <button type="button" onClick={close} disabled={create.busy}>
            Cancel
          </button>
          <button type="submit" form={formId} class="primary" disabled={create.busy}>
            {create.busy ? "Creating…" : "Create item"}
          </button>
        </>
      }
    >
      <form
        id={formId}
        class="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void create.run();
        }}
      >
        <Field label="Title" class="span-all" problem={problem("title")}>
          {(input) => (
            <input
              {...input}
              required
              maxLength={200}
              value={title}
              placeholder="Велосипед"
              onInput={(event) => setTitle(event.currentTarget.value)}
            />
          )}
        </Field>
        <Field label="Price" hint="As Avito writes it" problem={problem("price_string")}>
          {(input) => (
            <input
              {...input}
              maxLength={100}
              value={price}
              placeholder="12 500 ₽"
              onInput={(event) => setPrice(event.currentTarget.value)}
            />
          )}
        </Field>
        <Field label="Status" problem={problem("status_id")}>
          {(input) => (
            <select
              {...input}
              value={String(status)}
              onChange={(event) => setStatus(event.currentTarget.value === "20" ? 20 : 10)}
            >
              <option value="10">Active (10)</option>
              <option value="20">Deleted (20)</option>
            </select>
          )}
        </Field>
        <Field label="Address" class="span-all" problem={problem("address")}>
          {(input) => (
            <input
              {...input}
              maxLength={300}
              value={address}
              placeholder="Москва, Лесная улица 7"
              onInput={(event) => setAddress(event.currentTarget.value)}
            />
          )}
        </Field>
        <Field label="Category id" problem={problem("category.id")}>
          {(input) => (
            <input
              {...input}
              inputMode="numeric"
              value={categoryId}
              placeholder="20"
              onInput={(event) => setCategoryId(event.currentTarget.value)}
            />
          )}
        </Field>
        <Field label="Category name" problem={problem("category.name")}>
          {(input) => (
            <input
              {...input}
              maxLength={100}
              value={categoryName}
              placeholder="Спорт и отдых"
              onInput={(event) => setCategoryName(event.currentTarget.value)}
            />
          )}
        </Field>
        <p class="field-hint span-all no-margin">
          Address and category are what getItemsInfo shows; Beseda keeps no catalogue of categories,
          so any id and name will do.
        </p>
        <div class="span-all">
          <ErrorNote error={create.error} />
        </div>
      </form>
    </Dialog>
  );
}
